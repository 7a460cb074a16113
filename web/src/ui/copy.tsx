import { useId, useRef, useState } from 'preact/hooks';
import { useT } from '../i18n';
import { Button } from './Button';

/** Copies text to the clipboard. The async Clipboard API needs a secure
 * context (https or localhost); elsewhere the selected input is copied. */
export async function copyText(text: string, input?: HTMLInputElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Fall back to the selection below.
  }
  if (!input) return false;
  input.select();
  return document.execCommand('copy');
}

/** A secret or a link shown once, with a button that copies it. */
export function CopyField({ label, value }: { label: string; value: string }) {
  const t = useT();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  return (
    <div class="field copy-field">
      <label for={id}>{label}</label>
      <div class="copy-row">
        <input id={id} ref={input} value={value} readOnly spellcheck={false} onFocus={(e) => e.currentTarget.select()} />
        <Button
          kind="primary"
          icon={copied ? 'check' : 'copy'}
          onClick={async () => {
            setCopied(await copyText(value, input.current));
            setTimeout(() => setCopied(false), 2500);
          }}
        >
          {copied ? t.common.copied : t.common.copy}
        </Button>
      </div>
    </div>
  );
}
