// Spanish. `import '@whatsup/presence/locales/es.js'` before the panel renders.
import { addMessages } from '../localize.js';
import type { MessagePack } from '../messages-pack.js';

export const es: MessagePack = {
  loading: 'Cargando…',
  signUpTitle: 'Únete: cuéntales a todos qué estás haciendo',
  nameLabel: 'Nombre visible',
  statusLabel: 'Estado',
  statusPlaceholder: '¿Qué estás haciendo?',
  join: 'Unirme',
  joining: 'Uniéndote…',
  identifyRequired: 'Inicia sesión en este sitio para ver quién está conectado.',
  sessionEnded: 'Tu sesión terminó: vuelve a unirte.',
  you: '(tú)',
  editStatusHint: 'Haz clic o pulsa Intro para editar tu estado',
  editorHint: 'Intro guarda, Escape cancela',
  emptyStatus: 'Escribe un estado',
  signOut: 'Cerrar sesión',
  membersLabel: 'Conectados ahora',
  nobodyElse: 'Todavía no hay nadie más.',
  reconnecting: 'Reconectando…',
  offline: 'Sin conexión: reintentando…',
  dismiss: 'Cerrar',
  announcementLabel: 'Anuncio',
  statusRefused: 'Tu estado no se guardó:',
  notSignedIn: 'Primero inicia sesión.',
  updated: (relative) => `actualizado ${relative}`,
  counter: (length, max) => `${length}/${max}`,
  joined: (name) => `${name} se unió`,
  left: (name) => `${name} se fue`,
  statusChanged: (name, status) => `${name}: ${status}`,
  online: (count, plural) => `${count} ${plural === 'one' ? 'persona conectada' : 'personas conectadas'}`,
  more: (count) => `y ${count} más`,
  showAll: (count) => `Ver las ${count} personas conectadas`,
  connectionRefused: (reason) => `El servidor en tiempo real rechazó la conexión: ${reason}`,
  subscriptionFailed: 'No se pudo entrar en el canal.',
  genericError: 'Algo salió mal. Inténtalo de nuevo.',
  find: 'Buscar a alguien',
  noMatch: 'No hay nadie en línea con ese nombre.',
};

addMessages('es', es);
