/**
 * A modal dialog on the native `<dialog>`: `showModal` keeps focus inside and makes the page
 * behind inert; Escape closes it; focus returns to what opened it. The app root is also hidden
 * from assistive technology while it is open, so a button's name is found once, in the dialog.
 */
import { useEffect, useId, useRef } from 'react';
import type { ReactNode, RefObject } from 'react';
import { createPortal } from 'react-dom';

export function Dialog(props: {
  title: string;
  onClose: () => void;
  /** The element focused on opening; the first field when not given. */
  initialFocus?: RefObject<HTMLElement | null>;
  children: ReactNode;
}): ReactNode {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { initialFocus } = props;

  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const root = document.getElementById('root');
    root?.setAttribute('aria-hidden', 'true');
    if (!dialog.open) dialog.showModal();
    (
      initialFocus?.current ?? dialog.querySelector<HTMLElement>('input, textarea, select')
    )?.focus();
    return () => {
      root?.removeAttribute('aria-hidden');
      if (dialog.open) dialog.close();
      opener?.focus();
    };
  }, [initialFocus]);

  return createPortal(
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      aria-modal="true"
      onCancel={(event) => {
        // Escape: React owns whether the dialog is open.
        event.preventDefault();
        props.onClose();
      }}
    >
      <h2 id={titleId} className="dialog-title">
        {props.title}
      </h2>
      {props.children}
    </dialog>,
    document.body,
  );
}
