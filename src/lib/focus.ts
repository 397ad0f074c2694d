/**
 * Focus for modal dialogs: remember what had focus when the dialog opened, and give it back
 * once the dialog has gone (after a microtask, so the browser's own focus handling does not win).
 */
export function rememberFocus(): () => void {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  return () => queueMicrotask(() => opener?.focus());
}
