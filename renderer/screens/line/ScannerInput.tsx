import { useCallback, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useKeystrokeCapture } from '../../components/use-keystroke-capture';

interface ScannerInputProps {
  onScan: (code: string) => Promise<void>;
  hint: string;
}

/** The operator's scanner field: a scanned code lands here wherever focus was (see useKeystrokeCapture). */
export function ScannerInput({ onScan, hint }: ScannerInputProps) {
  const { t } = useTranslation();
  const ref = useRef<HTMLInputElement>(null);
  const [code, setCode] = useState('');

  useKeystrokeCapture(
    ref,
    useCallback((key: string) => setCode((before) => before + key), []),
  );

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
