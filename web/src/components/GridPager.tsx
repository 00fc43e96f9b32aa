// Page buttons under the grid when more people are in the call than fit at a readable size
// (layout.gridPageSize). Large enough targets for a finger; the page count is announced.
import { ChevronLeftIcon, ChevronRightIcon } from './icons';

export function GridPager({ page, pages, onPage }: { page: number; pages: number; onPage: (page: number) => void }) {
  const button = 'grid h-11 w-11 place-items-center rounded-full bg-slate-800 text-slate-100 ring-1 ring-white/10 transition hover:bg-slate-700 disabled:cursor-not-allowed disabled:opacity-40';
  return (
    <nav data-testid="grid-pager" aria-label="Participant pages" className="flex shrink-0 items-center justify-center gap-4 pt-2">
      <button type="button" data-testid="grid-page-previous" aria-label="Previous page of participants" disabled={page <= 0} onClick={() => onPage(page - 1)} className={button}>
        <ChevronLeftIcon className="h-5 w-5" />
      </button>
      <span data-testid="grid-page-label" aria-live="polite" className="min-w-24 text-center text-sm text-slate-200">
        Page {page + 1} of {pages}
      </span>
      <button type="button" data-testid="grid-page-next" aria-label="Next page of participants" disabled={page >= pages - 1} onClick={() => onPage(page + 1)} className={button}>
        <ChevronRightIcon className="h-5 w-5" />
      </button>
    </nav>
  );
}
