/**
 * A modal dialog on the native `<dialog>` element, opened with showModal():
 * the browser makes the rest of the page inert and puts the dialog in the top
 * layer (WAI-ARIA APG, Dialog (Modal) pattern). Three things the element does
 * not do on its own are added here:
 * - Tab and Shift+Tab wrap inside the dialog. A modal dialog's inert page
 *   keeps focus off the page, but from the last control Chromium moves focus
 *   out of the document (to the browser's own toolbar), and it comes back on
 *   the page's body;
 * - Escape always calls `onCancel`: the `cancel` event is cancelled so the
 *   dialog's owner, not the browser, decides what closing means (a question
 *   is denied, a ringing call declined, a recording discarded);
 * - focus goes back to the element that had it when the dialog opened, also
 *   when React removes the dialog without calling close().
 */
import { useEffect, useLayoutEffect, useRef, type ReactNode, type RefObject } from 'react';

/** The elements Tab can land on, in document order. */
const TABBABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), video[controls], audio[controls], [tabindex]:not([tabindex="-1"])';

function tabbables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(TABBABLE)].filter((el) => !el.closest('[inert]') && el.getClientRects().length > 0);
}

export interface ModalDialogProps {
  /** `alertdialog` for a question that needs an answer now (a permission question, a ringing call). @default 'dialog' */
  role?: 'dialog' | 'alertdialog';
  /** The id of the element that names the dialog (its heading). */
  labelledBy: string;
  describedBy?: string;
  className?: string;
  /** Escape, or the browser closing the dialog (e.g. Android's back gesture): what closing means is the owner's choice. */
  onCancel: () => void;
  /** What takes focus on open; the first focusable element when absent. */
  initialFocus?: RefObject<HTMLElement | null>;
  children: ReactNode;
}

/** A modal dialog: focus stays inside while it is open and returns to the opener when it goes. */
export function ModalDialog({ role = 'dialog', labelledBy, describedBy, className, onCancel, initialFocus, children }: ModalDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancel = useRef(onCancel);
  useEffect(() => {
    cancel.current = onCancel;
  }, [onCancel]);

  // Layout effect: the dialog must be modal before the browser paints it, and focus must go back before the next paint.
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    (initialFocus?.current ?? tabbables(dialog)[0] ?? dialog).focus();
    return () => {
      if (dialog.open) dialog.close();
      // Only when focus is still ours to give: inside the dialog, or lost to the body.
      const active = document.activeElement;
      if (opener?.isConnected && (!active || active === document.body || dialog.contains(active))) opener.focus();
    };
    // Opened once per mounted dialog; the initial focus is read then.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <dialog
      ref={ref}
      className={className ? `modal ${className}` : 'modal'}
      role={role === 'alertdialog' ? 'alertdialog' : undefined}
      aria-modal="true"
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      onCancel={(e) => {
        e.preventDefault();
        cancel.current();
      }}
      onClose={() => {
        // Closed by the browser while the owner still shows it: show it again until the owner decides.
        const dialog = ref.current;
        if (dialog?.isConnected && !dialog.open) {
          dialog.showModal();
          cancel.current();
        }
      }}
      onKeyDown={(e) => {
        if (e.key !== 'Tab' || !ref.current) return;
        const list = tabbables(ref.current);
        const first = list[0];
        const last = list.at(-1);
        if (!first || !last) {
          e.preventDefault();
          return;
        }
        const active = document.activeElement;
        if (e.shiftKey && (active === first || active === ref.current)) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && active === last) {
          e.preventDefault();
          first.focus();
        }
      }}
    >
      {children}
    </dialog>
  );
}
