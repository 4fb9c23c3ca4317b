import type { StatsSample } from './use-call-stats';

function Spark({ values, max, color, label, unit }: { values: number[]; max: number; color: string; label: string; unit: string }) {
  const w = 160;
  const h = 36;
  const top = Math.max(max, ...values, 1);
  const pts = values.map((v, i) => `${(i / Math.max(1, values.length - 1)) * w},${h - (v / top) * (h - 2) - 1}`).join(' ');
  const last = values.at(-1);
  return (
    <figure className="spark">
      <svg width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`${label}: ${last === undefined ? 'no data yet' : `${Math.round(last)} ${unit} now`}`}>
        <rect width={w} height={h} fill="#f6f7f9" />
        {values.length > 1 && <polyline points={pts} fill="none" stroke={color} strokeWidth={2} />}
      </svg>
      <figcaption>
        {label}: <strong>{last === undefined ? '–' : `${Math.round(last)} ${unit}`}</strong>
      </figcaption>
    </figure>
  );
}

/** Bitrate, packet loss and round-trip time of the call, over the last minute. */
export function QualityGraph({ samples }: { samples: StatsSample[] }) {
  return (
    <div className="quality" aria-label="Call quality">
      <Spark values={samples.map((s) => s.kbps)} max={100} color="#2563eb" label="Receiving" unit="kbit/s" />
      <Spark values={samples.map((s) => s.lossPct)} max={5} color="#dc2626" label="Packet loss" unit="%" />
      <Spark values={samples.map((s) => s.rttMs ?? 0)} max={50} color="#16a34a" label="Round trip" unit="ms" />
    </div>
  );
}
