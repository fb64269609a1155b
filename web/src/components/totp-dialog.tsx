/**
 * Step-up: actions on protected environments and approvals need a current TOTP code. The dialog
 * asks for it (and a reason where one is useful); `useStepUp` sends the action, asking for the
 * code first or only when the server says one is needed.
 */
import { useCallback, useId, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError } from '../api/api-client.js';
import { Dialog } from './dialog.js';

export interface StepUpRequest {
  readonly title: string;
  /** The submit button's name: `Approve`, `Promote`, … */
  readonly confirmLabel: string;
  readonly description?: string;
  /** Asks for an optional reason as well. */
  readonly withReason?: boolean;
  /** Ask before the first try; otherwise only when the server answers that a code is needed. */
  readonly askFirst: boolean;
  readonly send: (totp: string | undefined, reason: string | undefined) => Promise<void>;
}

interface Pending {
  readonly request: StepUpRequest;
  readonly notice: string | undefined;
  readonly resolve: (done: boolean) => void;
}

/**
 * `run(request)` sends the action and resolves true when it went through, false when the person
 * cancelled the dialog; an error of the first, code-less try that is not about the code throws.
 */
export function useStepUp(): {
  dialog: ReactNode;
  run: (request: StepUpRequest) => Promise<boolean>;
} {
  const [pending, setPending] = useState<Pending | undefined>(undefined);

  const run = useCallback(async (request: StepUpRequest): Promise<boolean> => {
    let notice: string | undefined;
    if (!request.askFirst) {
      try {
        await request.send(undefined, undefined);
        return true;
      } catch (error) {
        if (!(error instanceof ApiError) || !error.needsTotp) throw error;
        notice = error.message;
      }
    }
    return new Promise<boolean>((resolve) => setPending({ request, notice, resolve }));
  }, []);

  const dialog =
    pending === undefined ? null : (
      <TotpDialog
        {...pending.request}
        notice={pending.notice}
        onSubmit={async (code, reason) => {
          await pending.request.send(code, reason);
          pending.resolve(true);
          setPending(undefined);
        }}
        onClose={() => {
          pending.resolve(false);
          setPending(undefined);
        }}
      />
    );
  return { dialog, run };
}

/** The dialog itself: `TOTP code` (six digits), maybe a reason, Cancel and the action. */
export function TotpDialog(props: {
  title: string;
  confirmLabel: string;
  description?: string;
  notice?: string | undefined;
  withReason?: boolean;
  onSubmit: (code: string, reason: string | undefined) => Promise<void>;
  onClose: () => void;
}): ReactNode {
  const codeRef = useRef<HTMLInputElement>(null);
  const [code, setCode] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; hint?: string | undefined }>();
  const id = useId();

  const submit = async (): Promise<void> => {
    if (!/^\d{6}$/.test(code)) {
      setError({ message: 'Enter the 6 digits your authenticator app shows.' });
      codeRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await props.onSubmit(code, reason.trim() === '' ? undefined : reason.trim());
    } catch (e) {
      setError(
        e instanceof ApiError ? { message: e.message, hint: e.hint } : { message: String(e) },
      );
      setCode('');
      setBusy(false);
      codeRef.current?.focus();
    }
  };

  return (
    <Dialog title={props.title} onClose={props.onClose} initialFocus={codeRef}>
      <form
        className="dialog-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        {props.description === undefined ? null : <p>{props.description}</p>}
        {props.notice === undefined ? null : <p className="notice notice-info">{props.notice}</p>}
        <div className="field">
          <label htmlFor={`${id}-code`}>TOTP code</label>
          <input
            ref={codeRef}
            id={`${id}-code`}
            name="totp"
            className="totp-input"
            type="text"
            inputMode="numeric"
            autoComplete="one-time-code"
            autoFocus
            pattern="[0-9]{6}"
            maxLength={6}
            required
            aria-describedby={`${id}-code-help`}
            aria-invalid={error === undefined ? undefined : true}
            value={code}
            onChange={(event) => setCode(event.target.value.replace(/\D/g, '').slice(0, 6))}
          />
          <p id={`${id}-code-help`} className="field-help">
            The 6-digit code from your authenticator app.
          </p>
        </div>
        {props.withReason === true ? (
          <div className="field">
            <label htmlFor={`${id}-reason`}>Reason (optional)</label>
            <textarea
              id={`${id}-reason`}
              rows={2}
              value={reason}
              onChange={(event) => setReason(event.target.value)}
            />
          </div>
        ) : null}
        {error === undefined ? null : (
          <p className="notice notice-bad" role="alert">
            {error.message}
            {error.hint === undefined ? null : <span className="hint"> — {error.hint}</span>}
          </p>
        )}
        <div className="dialog-buttons">
          <button type="button" className="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? `${props.confirmLabel}…` : props.confirmLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
