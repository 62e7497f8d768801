// The panel page the host writes: the first message as an inert JSON block that production text
// cannot break out of, the bundle inline under the nonce, and a refusal to inline a stray end tag.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { INITIAL_MESSAGE_ID, initialMessageBlock, panelHtml } from '../../src/protocol/panel-page';
import type { HostMessage } from '../../src/protocol/messages';

const hostile: HostMessage = {
  type: 'empty',
  title: '</script><script>alert(1)</script>',
  reason: '<!-- & \u2028 \u2029 </SCRIPT >',
};

test('the first message block holds no <, > or & of its own text, and parses back to the same message', () => {
  const block = initialMessageBlock(hostile);
  const inner = block.slice(block.indexOf('>') + 1, block.lastIndexOf('</script>'));
  assert.ok(!/[<>&\u2028\u2029]/.test(inner), inner);
  assert.match(block, new RegExp(`^<script type="application/json" id="${INITIAL_MESSAGE_ID}">`));
  assert.equal(block.match(/<\/script/gi)?.length, 1, 'only the block’s own end tag');
  assert.deepEqual(JSON.parse(inner), hostile);
});

test('the page: CSP with connect-src none, the nonce on every script and style, base at the assets, first message before the panel script', () => {
  const html = panelHtml({
    cspSource: 'https://cdn.example',
    nonce: 'abc+/=',
    assetsBase: 'https://cdn.example/dist/webview/',
    styles: ['.a{}', '.b{}'],
    script: 'void 0;',
    first: hostile,
  });
  assert.match(
    html,
    /content="default-src 'none'; script-src 'nonce-abc\+\/='; style-src https:\/\/cdn\.example 'nonce-abc\+\/='; font-src https:\/\/cdn\.example; img-src https:\/\/cdn\.example data:; connect-src 'none'"/,
  );
  assert.match(html, /<base href="https:\/\/cdn\.example\/dist\/webview\/">/);
  assert.equal(html.match(/<style nonce="abc\+\/=">/g)?.length, 2);
  assert.ok(
    html.indexOf(`id="${INITIAL_MESSAGE_ID}"`) <
      html.indexOf('<script nonce="abc+/=">void 0;</script>'),
    'the block is in the DOM when the panel script runs',
  );
  assert.ok(!html.includes('alert(1)</script>'), 'the hostile title never appears raw');
});

test('a script or stylesheet holding its own end tag is refused, not inlined', () => {
  const page = {
    cspSource: 'x',
    nonce: 'n',
    assetsBase: 'x/',
    styles: [] as string[],
    script: 'ok',
  };
  assert.throws(
    () => panelHtml({ ...page, script: 'const s = "</script>";' }),
    /contains <\/script/,
  );
  assert.throws(
    () => panelHtml({ ...page, styles: ['a::after { content: "</STYLE>" }'] }),
    /contains <\/style/,
  );
});
