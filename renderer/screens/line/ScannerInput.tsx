import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

interface ScannerInputProps {
  onScan: (code: string) => Promise<void>;
  hint: string;
}

function isEditable(element: Element | null): boolean {
  if (!element) return false;
  if (element instanceof HTMLElement && element.isContentEditable) return true;
  return (
    element instanceof HTMLInputElement ||
    element instanceof HTMLTextAreaElement ||
    element instanceof HTMLSelectElement
  );
}

/**
 * A barcode scanner is a keyboard that types a code and Enter. The operator must not have to
 * click into a field first, so characters typed while focus is on no text field (the page, a
 * tile, a button) are pulled into this input; fields the operator chose to type in keep theirs.
 */
export function ScannerInput({ onScan, hint }: ScannerInputProps) {
  const { t } = useTranslation();
  const ref = useRef<HTMLInputElement>(null);
  const [code, setCode] = useState('');

  useEffect(() => {
    ref.current?.focus();
    const capture = (event: KeyboardEvent) => {
      const input = ref.current;
      if (!input || event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1) return;
      if (isEditable(document.activeElement) || document.querySelector('dialog[open]')) return;
      // A code never starts with a space; a leading space is a keyboard user pressing a button.
      if (event.key === ' ' && input.value === '') return;
      event.preventDefault();
      input.focus();
      setCode((before) => before + event.key);
    };
    window.addEventListener('keydown', capture, true);
    return () => window.removeEventListener('keydown', capture, true);
  }, []);

  return (
    <label className="field scanner">
      <span>{t('line.scanner')}</span>
      <input
        ref={ref}
        value={code}
        autoComplete="off"
        spellCheck={false}
        data-testid="scanner-input"
        aria-describedby="scanner-hint"
        onChange={(e) => setCode(e.target.value)}
        onKeyDown={(e) => {
          if (e.key !== 'Enter') return;
          e.preventDefault();
          const scanned = code.trim();
          setCode('');
          if (scanned) void onScan(scanned);
        }}
      />
      <span id="scanner-hint" className="scanner-hint">
        {hint}
      </span>
    </label>
  );
}
