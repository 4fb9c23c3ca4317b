import type { CallView, UserAgent } from '../../sip';
import { CallPanel } from './call-panel';
import { HeldCalls } from './held-calls';

/**
 * The calls on the Phone page: each call in progress (or just ended) as a
 * panel, and the calls this person holds as lines with Resume and End. The
 * held lines sit inside the call in progress when there is one, so a phone
 * whose screen that call fills still shows them.
 */
export function CallPanels({ phone, calls, onLeaveMessage }: { phone: UserAgent; calls: readonly CallView[]; onLeaveMessage?: ((peer: string) => void) | undefined }) {
  const isHeld = (c: CallView): boolean => c.state === 'active' && c.held;
  const held = calls.filter(isHeld);
  const panels = calls.filter((c) => c.state !== 'incoming' && !isHeld(c));
  const host = panels.find((c) => c.state !== 'ended');
  return (
    <>
      {!host && <HeldCalls phone={phone} calls={held} />}
      {panels.map((c) => (
        <CallPanel key={c.id} phone={phone} call={c} onLeaveMessage={onLeaveMessage}>
          {c === host && <HeldCalls phone={phone} calls={held} />}
        </CallPanel>
      ))}
    </>
  );
}
