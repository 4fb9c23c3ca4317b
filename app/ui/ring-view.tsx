/**
 * The ring as a picture: every known peer placed by its ID on a circle, this
 * tab highlighted, its predecessor, successors and fingers drawn as chords,
 * and lookups drawn hop by hop as they travel. Labels only for this tab and
 * its neighbours, so 64 peers stay readable; every dot has a tooltip.
 */
import { fingerprint } from '../identity';

export interface RingPeer {
  nodeId: string;
  role: 'self' | 'predecessor' | 'successor' | 'finger' | 'known';
  rttMs?: number | null;
  service?: boolean;
}

export interface RingLookup {
  id: string;
  /** Node IDs the lookup went through, in order. */
  path: string[];
  key: string;
}

const SIZE = 460;
const R = 170;
const C = SIZE / 2;
/** Room on the left and right for labels that run outwards from the circle. */
const PAD = 60;
/** Labels sit on this circle, joined to their dots by a short line. */
const LABEL_R = R + 26;
/** A label's height and width (4 hex digits at 11 px), in picture units. */
const LABEL_H = 14;
const LABEL_W = 34;

/**
 * Least angle between two labels near angle `a`: at the sides they stack,
 * so a line's height apart is enough; at the top and bottom they sit side
 * by side and need a label's width.
 */
function labelGap(a: number): number {
  return Math.min(LABEL_H / (LABEL_R * Math.max(1e-3, Math.abs(Math.cos(a)))), LABEL_W / (LABEL_R * Math.max(1e-3, Math.abs(Math.sin(a)))));
}
/** Draw order: the highlighted roles last, so they stay on top of the crowd. */
const LAYER: Record<RingPeer['role'], number> = { known: 0, finger: 1, successor: 2, predecessor: 3, self: 4 };

/** Where an ID sits on the circle: the first 32 bits of the 160-bit ID give the angle. */
export function angleOf(hexId: string): number {
  const top = parseInt(hexId.slice(0, 8), 16) / 2 ** 32;
  return top * 2 * Math.PI - Math.PI / 2;
}

function point(hexId: string, r = R): { x: number; y: number } {
  const a = angleOf(hexId);
  return { x: C + r * Math.cos(a), y: C + r * Math.sin(a) };
}

/**
 * Where each label goes, as an angle. This tab's predecessor and successors
 * are its ring neighbours, so their dots often nearly touch: labels that
 * would overlap are fanned out around their group's middle, far enough apart
 * not to touch (labelGap), each joined to its dot by a line.
 */
export function labelAngles(ids: readonly string[]): Map<string, number> {
  const sorted = [...ids].sort((a, b) => angleOf(a) - angleOf(b));
  const out = new Map<string, number>();
  let group: string[] = [];
  const flush = (): void => {
    if (group.length === 0) return;
    const mid = (angleOf(group[0]!) + angleOf(group.at(-1)!)) / 2;
    const gap = labelGap(mid);
    group.forEach((id, k) => out.set(id, mid + (k - (group.length - 1) / 2) * gap));
    group = [];
  };
  for (const id of sorted) {
    if (group.length > 0 && angleOf(id) - angleOf(group.at(-1)!) >= labelGap(angleOf(id))) flush();
    group.push(id);
  }
  flush();
  // Fanned groups may now crowd the next one: push each label far enough past the one before.
  let prev = -Infinity;
  for (const id of [...out.keys()].sort((a, b) => out.get(a)! - out.get(b)!)) {
    const a = prev === -Infinity ? out.get(id)! : Math.max(out.get(id)!, prev + labelGap(prev));
    out.set(id, a);
    prev = a;
  }
  return out;
}

/** Darker shades of the role colours, for text on white. */
const TEXT: Record<RingPeer['role'], string> = {
  self: '#1d4ed8',
  predecessor: '#7e22ce',
  successor: '#15803d',
  finger: '#b45309',
  known: '#475569',
};

const COLORS: Record<RingPeer['role'], string> = {
  self: '#2563eb',
  predecessor: '#9333ea',
  successor: '#16a34a',
  finger: '#d97706',
  known: '#94a3b8',
};

export function RingView({ peers, lookups = [], title }: { peers: RingPeer[]; lookups?: RingLookup[]; title: string }) {
  const self = peers.find((p) => p.role === 'self');
  const chords = self ? peers.filter((p) => p.role !== 'self' && p.role !== 'known') : [];
  const labelled = labelAngles(peers.filter((p) => p.role === 'self' || p.role === 'predecessor' || p.role === 'successor').map((p) => p.nodeId));
  const layered = [...peers].sort((a, b) => LAYER[a.role] - LAYER[b.role]);
  return (
    <svg viewBox={`${-PAD} 0 ${SIZE + 2 * PAD} ${SIZE}`} className="ring" role="img" aria-label={title}>
      <circle cx={C} cy={C} r={R} fill="none" stroke="#d8dee4" strokeWidth={2} />
      {self &&
        chords.map((p) => {
          const a = point(self.nodeId);
          const b = point(p.nodeId);
          return (
            <line
              key={`chord-${p.role}-${p.nodeId}`}
              x1={a.x}
              y1={a.y}
              x2={b.x}
              y2={b.y}
              stroke={COLORS[p.role]}
              strokeWidth={p.role === 'finger' ? 1 : 2}
              strokeDasharray={p.role === 'finger' ? '4 3' : undefined}
              opacity={0.8}
            />
          );
        })}
      {lookups.map((l) =>
        l.path.slice(1).map((id, i) => {
          const a = point(l.path[i]!, R - 6);
          const b = point(id, R - 6);
          return <line key={`${l.id}-${i}`} x1={a.x} y1={a.y} x2={b.x} y2={b.y} stroke="#dc2626" strokeWidth={2.5} markerEnd="url(#arrow)" className="hop" />;
        }),
      )}
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#dc2626" />
        </marker>
      </defs>
      {layered.map((p) => {
        const { x, y } = point(p.nodeId);
        const r = p.role === 'self' ? 8 : p.role === 'known' ? 4 : 6;
        const label = `${p.role === 'self' ? 'this tab' : p.role} ${fingerprint(p.nodeId)}${p.service ? ' (service peer)' : ''}${p.rttMs != null ? `, ${p.rttMs} ms` : ''}`;
        const la = labelled.get(p.nodeId);
        const at = (r: number, angle: number) => ({ x: C + r * Math.cos(angle), y: C + r * Math.sin(angle) });
        const lp = la === undefined ? null : at(LABEL_R, la);
        const anchor = lp === null || Math.abs(lp.x - C) < 30 ? 'middle' : lp.x > C ? 'start' : 'end';
        return (
          <g key={p.nodeId} data-ring-node={p.nodeId} data-role={p.role}>
            {p.service ? (
              <rect x={x - r} y={y - r} width={2 * r} height={2 * r} fill={COLORS[p.role]} stroke="#fff" strokeWidth={1.5}>
                <title>{label}</title>
              </rect>
            ) : (
              <circle cx={x} cy={y} r={r} fill={COLORS[p.role]} stroke="#fff" strokeWidth={1.5}>
                <title>{label}</title>
              </circle>
            )}
            {lp && la !== undefined && (
              <>
                <line x1={point(p.nodeId, R + r + 1).x} y1={point(p.nodeId, R + r + 1).y} x2={at(LABEL_R - 6, la).x} y2={at(LABEL_R - 6, la).y} stroke={COLORS[p.role]} strokeWidth={1} opacity={0.6} />
                <text x={lp.x} y={lp.y} fontSize={11} textAnchor={anchor} dominantBaseline="middle" fill={TEXT[p.role]} fontWeight={p.role === 'self' ? 700 : 400}>
                  {p.role === 'self' ? `this tab ${p.nodeId.slice(0, 4)}` : p.nodeId.slice(0, 4)}
                </text>
              </>
            )}
          </g>
        );
      })}
    </svg>
  );
}

/** The key to the picture's colours. */
export function RingLegend() {
  const items: [RingPeer['role'], string][] = [
    ['self', 'this tab'],
    ['predecessor', 'predecessor'],
    ['successor', 'successors'],
    ['finger', 'fingers'],
    ['known', 'other known peers'],
  ];
  return (
    <ul className="legend" aria-label="Key to the ring picture">
      {items.map(([role, words]) => (
        <li key={role}>
          <span className="swatch" style={{ background: COLORS[role] }} aria-hidden="true" />
          {words}
        </li>
      ))}
      <li>
        <span className="swatch square" aria-hidden="true" />
        service peer
      </li>
    </ul>
  );
}
