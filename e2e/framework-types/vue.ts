// Type-checked by e2e/framework-types.test.ts (tsc --noEmit), never run: what Vue 3's template type
// checker (vue-tsc, Volar) reads for <whatsup-presence> from `@whatsup/presence/vue`: the
// GlobalComponents entry's $props and $emit. Each @ts-expect-error must be an error.
import type {} from '@whatsup/presence/vue';
import type { GlobalComponents } from 'vue';
import type { WhatsupMemberJoinedEvent } from '@whatsup/presence';

type Panel = InstanceType<GlobalComponents['whatsup-presence']>;
type Props = Panel['$props'];

export const settings: Props = {
  authEndpoint: '/whatsup/usersystem/auth',
  channel: 'presence-whatsup-members',
  variant: 'stack',
  toastDuration: 3000,
  showRecent: true,
  class: 'panel',
};

// @ts-expect-error toastDuration is a number of milliseconds
export const wrongDuration: Props = { toastDuration: '5s' };
// @ts-expect-error not one of list, compact, stack
export const wrongVariant: Props = { variant: 'grid' };

export function events(emit: Panel['$emit'], joined: WhatsupMemberJoinedEvent, other: KeyboardEvent) {
  emit('whatsup-member-joined', joined);
  // @ts-expect-error whatsup-member-joined carries a WhatsupMemberJoinedEvent
  emit('whatsup-member-joined', other);
  // @ts-expect-error no such event
  emit('whatsup-member-joinde', joined);
}

// The element itself is still the element: its real properties are there.
export const element = (panel: Panel) => panel.controller;
