// A button that shows and hides a panel (the account menu, the reaction picker): `aria-expanded` and
// `aria-controls` on the button; a press outside both closes the panel, Escape closes it and gives the
// focus back to the button (WAI-ARIA APG "Disclosure" pattern).
import { useCallback, useEffect, useId, useRef, useState, type RefObject } from 'react';

export interface Disclosure<Panel extends HTMLElement> {
  readonly open: boolean;
  readonly setOpen: (open: boolean) => void;
  /** Closes the panel and gives the focus back to the button. */
  readonly close: () => void;
  readonly buttonProps: {
    readonly ref: RefObject<HTMLButtonElement | null>;
    readonly 'aria-expanded': boolean;
    readonly 'aria-controls': string;
    readonly onClick: () => void;
  };
  readonly panelProps: {
    readonly ref: RefObject<Panel | null>;
    readonly id: string;
    readonly hidden: boolean;
  };
}

export function useDisclosure<Panel extends HTMLElement>(): Disclosure<Panel> {
  const [open, setOpen] = useState(false);
  const id = useId();
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<Panel>(null);
  const close = useCallback(() => {
    setOpen(false);
    button.current?.focus();
  }, []);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!panel.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') close();
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open, close]);

  return {
    open,
    setOpen,
    close,
    buttonProps: { ref: button, 'aria-expanded': open, 'aria-controls': id, onClick: () => setOpen(!open) },
    panelProps: { ref: panel, id, hidden: !open },
  };
}
