/** The system Chromium (Debian's package), or CHROMIUM_PATH. Never a downloaded browser. */
export function chromiumPath(): string {
  return process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
}
