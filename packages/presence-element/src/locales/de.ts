// German. `import '@whatsup/presence/locales/de.js'` before the panel renders.
import { addMessages } from '../localize.js';
import type { MessagePack } from '../messages-pack.js';

export const de: MessagePack = {
  loading: 'Wird geladen…',
  signUpTitle: 'Mach mit: Sag allen, woran du gerade bist',
  nameLabel: 'Anzeigename',
  statusLabel: 'Status',
  statusPlaceholder: 'Woran arbeitest du?',
  join: 'Beitreten',
  joining: 'Beitreten…',
  identifyRequired: 'Melde dich auf dieser Website an, um zu sehen, wer online ist.',
  sessionEnded: 'Deine Sitzung ist abgelaufen – tritt erneut bei.',
  you: '(du)',
  editStatusHint: 'Klicken oder Eingabe drücken, um deinen Status zu ändern',
  editorHint: 'Eingabe speichert, Escape bricht ab',
  emptyStatus: 'Status setzen',
  signOut: 'Abmelden',
  membersLabel: 'Jetzt online',
  nobodyElse: 'Noch ist niemand sonst hier.',
  reconnecting: 'Verbindung wird wiederhergestellt…',
  offline: 'Offline – neuer Versuch…',
  dismiss: 'Schließen',
  announcementLabel: 'Ankündigung',
  statusRefused: 'Dein Status wurde nicht gespeichert:',
  notSignedIn: 'Bitte zuerst anmelden.',
  updated: (relative) => `aktualisiert ${relative}`,
  counter: (length, max) => `${length}/${max}`,
  joined: (name) => `${name} ist da`,
  left: (name) => `${name} ist gegangen`,
  statusChanged: (name, status) => `${name}: ${status}`,
  online: (count, plural) => `${count} ${plural === 'one' ? 'Person' : 'Personen'} online`,
  more: (count) => `und ${count} weitere`,
  showAll: (count) => `Alle ${count} Personen online anzeigen`,
  connectionRefused: (reason) => `Der Echtzeitserver hat die Verbindung abgelehnt: ${reason}`,
  subscriptionFailed: 'Dem Kanal konnte nicht beigetreten werden.',
  genericError: 'Etwas ist schiefgelaufen. Bitte versuche es erneut.',
  find: 'Person finden',
  noMatch: 'Niemand mit diesem Namen ist online.',
};

addMessages('de', de);
