// JVM `Throwable.printStackTrace()` frames (Java, Kotlin, Scala), and the PHP OTel SDK's Java-like
// format (`at App.Http.Controller.handle(Controller.php:12)`: namespaces joined by dots).
//   at com.acme.OrderService.load(OrderService.java:51)
//   at java.base/java.lang.Thread.run(Thread.java:1583)        (Java 9+ module prefix)
//   at app//com.acme.Main.main(Main.java:3)                     (class loader prefix)
//   at com.acme.Native.call(Native Method) / (Unknown Source) / (Main.java)
//   Caused by: java.io.IOException: eof      ... 12 more      Suppressed: ...
import type { FrameMatch } from './frame';

const FRAME =
  /^\s*at ([^\s()]+)\((Native Method|Unknown Source|[^():\s][^():]*?\.[A-Za-z]\w*(?::(\d+))?)\)(?: ~?\[[^\]]*\])?$/;

export function matchJava(line: string): FrameMatch | undefined {
  const m = FRAME.exec(line);
  if (!m || !m[1] || !m[2]) return undefined;
  // Strip `classLoader/module@version/` prefixes: the class is after the last slash.
  const qualified = m[1].slice(m[1].lastIndexOf('/') + 1);
  const dot = qualified.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const className = qualified.slice(0, dot);
  const fields: FrameMatch['fields'] = {
    language: m[2].endsWith('.php') || /\.php:\d+$/.test(m[2]) ? 'php' : 'java',
    function: qualified,
    className,
  };
  if (m[2] !== 'Native Method' && m[2] !== 'Unknown Source') {
    fields.file = m[3] !== undefined ? m[2].slice(0, m[2].lastIndexOf(':')) : m[2];
    if (m[3] !== undefined) fields.line = Number(m[3]);
  }
  return { consumed: 1, fields };
}

/** `... 12 more` / `... 12 common frames omitted` (Logback). */
export function javaOmitted(line: string): number | undefined {
  const m = /^\s*\.\.\. (\d+) (?:more|common frames omitted)\s*$/.exec(line);
  return m ? Number(m[1]) : undefined;
}

/** `Caused by: T: msg` / `Suppressed: T: msg` (suppressed blocks are indented by a tab). */
export function javaChainHeader(
  line: string,
): { relation: 'cause' | 'suppressed'; rest: string } | undefined {
  const m = /^\s*(Caused by|Suppressed): (.*)$/.exec(line);
  if (!m || m[2] === undefined) return undefined;
  return { relation: m[1] === 'Caused by' ? 'cause' : 'suppressed', rest: m[2] };
}
