import { create } from 'zustand';

export interface Notice {
  id: number;
  kind: 'success' | 'error';
  text: string;
}

interface NoticeState {
  notices: Notice[];
  show(kind: Notice['kind'], text: string): void;
  dismiss(id: number): void;
}

let nextId = 1;

/** Short confirmations of what just happened, announced to screen readers too. */
export const useNotices = create<NoticeState>((set, get) => ({
  notices: [],
  show(kind, text) {
    const id = nextId++;
    set({ notices: [...get().notices.slice(-3), { id, kind, text }] });
    setTimeout(() => get().dismiss(id), kind === 'error' ? 10_000 : 4_000);
  },
  dismiss(id) {
    set({ notices: get().notices.filter((n) => n.id !== id) });
  },
}));
