import { useState } from 'react';

/** Copies `text` to the clipboard and says so, for people and screen readers alike. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState<'copied' | 'failed' | null>(null);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
      setDone('copied');
    } catch {
      setDone('failed');
    }
    setTimeout(() => setDone(null), 2000);
  };
  return (
    <span className="copy">
      <button type="button" onClick={() => void copy()} aria-label={label}>
        Copy
      </button>
      <span role="status" className="copy-status">
        {done === 'copied' ? 'Copied' : done === 'failed' ? 'Could not copy; select the text instead' : ''}
      </span>
    </span>
  );
}
