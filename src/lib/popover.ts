/**
 * A `<details>` used as a popover (a KPI's definition, a filter's choices, a chart's export
 * menu): one open at a time, Esc or a click elsewhere closes it, and Esc gives the focus back
 * to its summary. Svelte action: `<details use:popover>`.
 */
const opened = new Set<HTMLDetailsElement>();

export function popover(node: HTMLDetailsElement): { destroy(): void } {
  const onToggle = (): void => {
    if (!node.open) {
      opened.delete(node);
      return;
    }
    for (const other of [...opened]) if (other !== node && !other.contains(node)) other.open = false;
    opened.add(node);
  };
  const onKey = (e: KeyboardEvent): void => {
    if (e.key !== 'Escape' || !node.open) return;
    e.stopPropagation();
    node.open = false;
    node.querySelector('summary')?.focus();
  };
  const onPointer = (e: Event): void => {
    if (node.open && e.target instanceof Node && !node.contains(e.target)) node.open = false;
  };
  node.addEventListener('toggle', onToggle);
  node.addEventListener('keydown', onKey);
  document.addEventListener('pointerdown', onPointer, true);
  return {
    destroy() {
      node.removeEventListener('toggle', onToggle);
      node.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer, true);
      opened.delete(node);
    },
  };
}
