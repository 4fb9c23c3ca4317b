/**
 * A 5×5 mirrored picture drawn from a hex ID, so a person can tell peers
 * apart at a glance instead of reading digits.
 */
export function Identicon({ hexId, size = 48, label }: { hexId: string; size?: number; label: string }) {
  const nibble = (i: number): number => parseInt(hexId[i % hexId.length] ?? '0', 16);
  const hue = (nibble(0) * 16 + nibble(1)) * (360 / 256);
  const color = `hsl(${hue.toFixed(0)} 65% 45%)`;
  const cells: { x: number; y: number }[] = [];
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 3; x++) {
      if (nibble(2 + y * 3 + x) % 2 === 0) {
        cells.push({ x, y });
        if (x < 2) cells.push({ x: 4 - x, y });
      }
    }
  }
  return (
    <svg className="identicon" width={size} height={size} viewBox="-0.5 -0.5 6 6" role="img" aria-label={label}>
      <rect x={-0.5} y={-0.5} width={6} height={6} rx={0.8} fill="#f1f3f6" />
      {cells.map((c) => (
        <rect key={`${c.x}-${c.y}`} x={c.x} y={c.y} width={1} height={1} fill={color} />
      ))}
    </svg>
  );
}
