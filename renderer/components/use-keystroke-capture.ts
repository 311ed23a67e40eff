import { type RefObject, useEffect } from 'react';

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
 * A barcode scanner or badge reader is a keyboard that types a code and Enter. Nobody should have
 * to click into a field first, so characters typed while focus is on no text field (the page, a
 * tile, a button) are pulled into `ref`'s input through `append`; fields a person chose to type in
 * keep theirs, and so do open dialogs.
 */
export function useKeystrokeCapture(ref: RefObject<HTMLInputElement | null>, append: (key: string) => void): void {
  useEffect(() => {
    ref.current?.focus();
    const capture = (event: KeyboardEvent) => {
      const input = ref.current;
      // A field that is not shown (the app behind the lock screen) takes nothing.
      if (!input?.checkVisibility() || event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1) return;
      if (isEditable(document.activeElement) || document.querySelector('dialog[open]')) return;
      // A code never starts with a space; a leading space is a keyboard user pressing a button.
      if (event.key === ' ' && input.value === '') return;
      event.preventDefault();
      input.focus();
      append(event.key);
    };
    window.addEventListener('keydown', capture, true);
    return () => window.removeEventListener('keydown', capture, true);
  }, [ref, append]);
}
