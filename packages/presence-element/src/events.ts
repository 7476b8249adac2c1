import type { Member } from './types.js';

const init = { bubbles: true, composed: true } as const;

/** The visitor signed in (or was found signed in on load). */
export class WhatsupSignedInEvent extends CustomEvent<{ user: Member }> {
  constructor(user: Member) {
    super('whatsup-signed-in', { ...init, detail: { user } });
  }
}
/** The visitor signed out, here or in another tab, or the session expired. */
export class WhatsupSignedOutEvent extends CustomEvent<{ reason: 'user' | 'other-tab' | 'expired' }> {
  constructor(reason: 'user' | 'other-tab' | 'expired') {
    super('whatsup-signed-out', { ...init, detail: { reason } });
  }
}
/** Someone came online. */
export class WhatsupMemberJoinedEvent extends CustomEvent<{ member: Member }> {
  constructor(member: Member) {
    super('whatsup-member-joined', { ...init, detail: { member } });
  }
}
/** Someone's last tab went away. */
export class WhatsupMemberLeftEvent extends CustomEvent<{ member: Member }> {
  constructor(member: Member) {
    super('whatsup-member-left', { ...init, detail: { member } });
  }
}
/** A member's status changed (mine included). */
export class WhatsupStatusChangedEvent extends CustomEvent<{ member: Member; previous: string }> {
  constructor(member: Member, previous: string) {
    super('whatsup-status-changed', { ...init, detail: { member, previous } });
  }
}
/** A member's activity (`away` or not) or availability (`dnd`, `invisible`) changed (mine included). */
export class WhatsupActivityChangedEvent extends CustomEvent<{ member: Member; previous: Member }> {
  constructor(member: Member, previous: Member) {
    super('whatsup-activity-changed', { ...init, detail: { member, previous } });
  }
}
/** The server pushed an announcement. */
export class WhatsupAnnouncementEvent extends CustomEvent<{ message: string; sentAt: number }> {
  constructor(message: string, sentAt: number) {
    super('whatsup-announcement', { ...init, detail: { message, sentAt } });
  }
}
/** The realtime connection changed state (pusher-js states). */
export class WhatsupConnectionChangeEvent extends CustomEvent<{ previous: string; current: string }> {
  constructor(previous: string, current: string) {
    super('whatsup-connection-change', { ...init, detail: { previous, current } });
  }
}
/** Something went wrong: bad configuration, a refused request, a failed subscription. */
export class WhatsupErrorEvent extends CustomEvent<{ code: string; message: string }> {
  constructor(code: string, message: string) {
    super('whatsup-error', { ...init, detail: { code, message } });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'whatsup-signed-in': WhatsupSignedInEvent;
    'whatsup-signed-out': WhatsupSignedOutEvent;
    'whatsup-member-joined': WhatsupMemberJoinedEvent;
    'whatsup-member-left': WhatsupMemberLeftEvent;
    'whatsup-status-changed': WhatsupStatusChangedEvent;
    'whatsup-activity-changed': WhatsupActivityChangedEvent;
    'whatsup-announcement': WhatsupAnnouncementEvent;
    'whatsup-connection-change': WhatsupConnectionChangeEvent;
    'whatsup-error': WhatsupErrorEvent;
  }
}
