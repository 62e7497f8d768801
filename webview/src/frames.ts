// Stack frames as printed; frames that resolve to a workspace file are buttons opening that line.
import type { CodeLinkDto, StackFrameDto } from '../../src/protocol/messages';
import { button, el } from './dom';

export function framesList(
  frames: readonly StackFrameDto[],
  open: (c: CodeLinkDto) => void,
): HTMLElement {
  const list = el('ol', { className: 'frames', label: 'Stack trace' });
  for (const f of frames) {
    const code = f.code;
    list.append(
      el(
        'li',
        {},
        code
          ? button({
              className: 'link frame',
              text: f.text,
              title: `Open ${code.file}:${code.line}`,
              onClick: () => open(code),
            })
          : el('span', { className: 'frame', text: f.text }),
      ),
    );
  }
  return list;
}
