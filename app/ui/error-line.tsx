/** A problem in words, announced to screen readers; nothing when there is none. */
export function ErrorLine({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <p role="alert" className="errors">
      {text}
    </p>
  );
}
