// Distinct exceptions on the function's held failed spans, most frequent first, with frames.
import type { CodeLinkDto, ErrorGroupDto } from '../../src/protocol/messages';
import { button, el, icon } from './dom';
import { formatTime } from './format';
import { framesList } from './frames';

export function errorsSection(
  groups: readonly ErrorGroupDto[],
  actions: { open: (c: CodeLinkDto) => void; openTrace: (traceId: string) => void },
): HTMLElement {
  const sec = el(
    'section',
    { className: 'errors', label: 'Errors' },
    el('h2', { text: `Errors (${groups.length})` }),
  );
  if (groups.length === 0) {
    sec.append(
      el('p', {
        className: 'empty',
        text: 'No failed spans of this function are held in memory for this window.',
      }),
    );
    return sec;
  }
  for (const g of groups) {
    const details = el(
      'details',
      { className: 'error-group' },
      el(
        'summary',
        {},
        icon('error'),
        el('strong', { text: g.type || 'error' }),
        g.message ? `: ${g.message}` : '',
        el('span', { className: 'muted', text: ` ×${g.count} · last ${formatTime(g.lastSeenMs)}` }),
      ),
      button({
        className: 'link',
        text: 'Open its trace',
        onClick: () => actions.openTrace(g.traceId),
      }),
      g.frames.length
        ? framesList(g.frames, actions.open)
        : el('p', { className: 'empty', text: 'No stack trace was recorded.' }),
    );
    sec.append(details);
  }
  return sec;
}
