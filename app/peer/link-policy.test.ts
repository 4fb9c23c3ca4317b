/**
 * One mapping from a link's proven far side to the permission gate's request,
 * for tabs and service peers alike (issue 14): what the peer presented reaches
 * the gate, what it did not is left out, and a service peer refuses contact
 * without asking anyone.
 */
import { describe, expect, it } from 'vitest';
import type { DecisionRequest, PermissionDecision, PermissionGate } from '../permissions';
import type { LinkPeer } from '../transport';
import { SERVICE_TAKES_NO_CALLS, decideLink, linkDecisionOf, linkPermissionRequest } from './link-policy';

const spki = new Uint8Array([1, 2, 3]);
const userSpki = new Uint8Array([4, 5, 6]);
const nodeId = 'ab'.repeat(20);

/** A gate that records what it was asked and answers `allow`. */
function recordingGate(allow: boolean): { gate: PermissionGate; asked: DecisionRequest[] } {
  const asked: DecisionRequest[] = [];
  const gate = {
    decide: async (req: DecisionRequest): Promise<PermissionDecision> => {
      asked.push(req);
      return { allow, reason: 'policy', detail: allow ? 'the overlay is allowed' : 'refused by policy' } as PermissionDecision;
    },
  } as unknown as PermissionGate;
  return { gate, asked };
}

describe('link policy', () => {
  it('hands the gate the node key, the user key and name, and the certificate the peer presented', () => {
    const peer: LinkPeer = { nodeId, spki, user: { signingSpki: userSpki, binding: new Uint8Array(), name: 'alice', certificate: '{"c":1}' } };
    expect(linkPermissionRequest(peer, 'inbound', 'overlay', 'p2p.local')).toEqual({
      peerNodeId: nodeId,
      peerNodeSpki: spki,
      user: { signingSpki: userSpki, name: 'alice' },
      certificate: '{"c":1}',
      scope: 'overlay',
      direction: 'inbound',
      overlay: 'p2p.local',
    });
  });

  it('leaves out what the peer did not present', () => {
    const bare = linkPermissionRequest({ nodeId, spki }, 'outbound', 'contact', 'p2p.local');
    expect(bare).toEqual({ peerNodeId: nodeId, peerNodeSpki: spki, scope: 'contact', direction: 'outbound', overlay: 'p2p.local' });
    const nameless = linkPermissionRequest({ nodeId, spki, user: { signingSpki: userSpki, binding: new Uint8Array() } }, 'outbound', 'overlay', 'x');
    expect(nameless.user).toEqual({ signingSpki: userSpki });
    expect('certificate' in nameless).toBe(false);
  });

  it('a tab asks the gate, in the overlay scope unless told otherwise, and passes its words on', async () => {
    const { gate, asked } = recordingGate(false);
    const { decision, link } = await decideLink(gate, 'p2p.local', { nodeId, spki }, 'inbound');
    expect(asked).toHaveLength(1);
    expect(asked[0]!.scope).toBe('overlay');
    expect(decision).not.toBeNull();
    expect(link).toEqual({ allow: false, reason: 'refused by policy' });
    expect(linkDecisionOf(decision!)).toEqual(link);
    await decideLink(gate, 'p2p.local', { nodeId, spki }, 'inbound', 'contact', 'tab');
    expect(asked[1]!.scope).toBe('contact');
  });

  it('a service peer refuses contact without asking the gate, and asks it about overlay links', async () => {
    const { gate, asked } = recordingGate(true);
    expect(await decideLink(gate, 'p2p.local', { nodeId, spki }, 'inbound', 'contact', 'service')).toEqual({
      decision: null,
      link: { allow: false, reason: SERVICE_TAKES_NO_CALLS },
    });
    expect(asked).toHaveLength(0);
    expect((await decideLink(gate, 'p2p.local', { nodeId, spki }, 'inbound', 'overlay', 'service')).link.allow).toBe(true);
    expect(asked).toHaveLength(1);
  });
});
