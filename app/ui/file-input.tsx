import { useId } from 'react';

/** A labelled file picker that hands over the file's text. */
export function TextFileInput({ label, onText, accept = '.json,application/json,text/plain' }: { label: string; onText: (text: string, name: string) => void; accept?: string }) {
  const id = useId();
  return (
    <span className="file-input">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="file"
        accept={accept}
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (!file) return;
          if (file.size > 1024 * 1024) {
            onText('', file.name);
            return;
          }
          void file.text().then((t) => onText(t, file.name));
        }}
      />
    </span>
  );
}
