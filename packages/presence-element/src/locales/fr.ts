// French. `import '@whatsup/presence/locales/fr.js'` before the panel renders.
import { addMessages } from '../localize.js';
import type { MessagePack } from '../messages-pack.js';

export const fr: MessagePack = {
  loading: 'Chargement…',
  signUpTitle: 'Rejoignez-nous : dites à tout le monde ce que vous faites',
  nameLabel: 'Nom affiché',
  statusLabel: 'Statut',
  statusPlaceholder: 'Que faites-vous ?',
  join: 'Rejoindre',
  joining: 'Connexion…',
  identifyRequired: 'Connectez-vous sur ce site pour voir qui est en ligne.',
  sessionEnded: 'Votre session a pris fin — rejoignez-nous à nouveau.',
  you: '(vous)',
  editStatusHint: 'Cliquez ou appuyez sur Entrée pour modifier votre statut',
  editorHint: 'Entrée enregistre, Échap annule',
  emptyStatus: 'Définir un statut',
  signOut: 'Se déconnecter',
  membersLabel: 'En ligne',
  nobodyElse: 'Personne d’autre n’est encore là.',
  reconnecting: 'Reconnexion…',
  offline: 'Hors ligne — nouvelle tentative…',
  dismiss: 'Fermer',
  announcementLabel: 'Annonce',
  statusRefused: 'Votre statut n’a pas été enregistré :',
  notSignedIn: 'Connectez-vous d’abord.',
  updated: (relative) => `mis à jour ${relative}`,
  counter: (length, max) => `${length}/${max}`,
  joined: (name) => `${name} est arrivé·e`,
  left: (name) => `${name} est parti·e`,
  statusChanged: (name, status) => `${name} : ${status}`,
  online: (count, plural) => `${count} ${plural === 'one' ? 'personne' : 'personnes'} en ligne`,
  more: (count) => `et ${count} de plus`,
  showAll: (count) => `Voir les ${count} personnes en ligne`,
  connectionRefused: (reason) => `Le serveur temps réel a refusé la connexion : ${reason}`,
  subscriptionFailed: 'Impossible de rejoindre le canal.',
  genericError: 'Une erreur s’est produite. Veuillez réessayer.',
  find: 'Trouver quelqu’un',
  noMatch: 'Personne de ce nom n’est en ligne.',
};

addMessages('fr', fr);
