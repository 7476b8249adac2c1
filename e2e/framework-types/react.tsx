// Type-checked by e2e/framework-types.test.ts (tsc --noEmit), never run: what a React 19 app writes
// with `@whatsup/presence/react`. Each @ts-expect-error must be an error, or the check fails.
import type {} from '@whatsup/presence/react';
import type { WhatsupMemberJoinedEvent } from '@whatsup/presence';

export function Panel({ onJoined }: { onJoined: (name: string) => void }) {
  return (
    <whatsup-presence
      auth-endpoint="/whatsup/usersystem/auth"
      channel="presence-whatsup-members"
      variant="compact"
      toast-duration={3000}
      show-recent
      className="panel"
      onwhatsup-member-joined={(event) => onJoined(event.detail.member.name)}
      onwhatsup-signed-out={(event) => console.log(event.detail.reason)}
    />
  );
}

export function WithProperties() {
  const joined = (event: WhatsupMemberJoinedEvent) => event.detail.member.id;
  return (
    <whatsup-presence
      authEndpoint="/whatsup/usersystem/auth"
      channel="presence-whatsup-members"
      toastDuration={3000}
      messages={{}}
      onwhatsup-member-joined={joined}
      ref={(element) => void element?.controller}
    />
  );
}

export const wrong = [
  // @ts-expect-error toastDuration is a number of milliseconds
  <whatsup-presence toastDuration="5s" />,
  // @ts-expect-error toast-duration likewise
  <whatsup-presence toast-duration="5s" />,
  // @ts-expect-error not one of list, compact, stack
  <whatsup-presence variant="grid" />,
  // @ts-expect-error forceTls is a boolean
  <whatsup-presence forceTls="yes" />,
  // @ts-expect-error misspelt: no such property or attribute
  <whatsup-presence chanel="presence-whatsup-members" />,
  // @ts-expect-error the handler gets a WhatsupMemberJoinedEvent, not a KeyboardEvent
  <whatsup-presence onwhatsup-member-joined={(event: KeyboardEvent) => event.key} />,
  // @ts-expect-error state is read-only: the element's, not a setting
  <whatsup-presence state="signed-in" />,
];
