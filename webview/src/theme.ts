// Canvas cannot read CSS variables, so charts resolve the theme's --vscode-* colours at draw time
// and redraw when VS Code switches theme (it rewrites the variables on <html> and the body class).
export function themeColor(name: string, fallbackVar = '--vscode-foreground'): string {
  const style = getComputedStyle(document.body);
  return (
    style.getPropertyValue(name).trim() || style.getPropertyValue(fallbackVar).trim() || style.color
  );
}

export function onThemeChange(listener: () => void): void {
  const o = new MutationObserver(listener);
  o.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  o.observe(document.body, {
    attributes: true,
    attributeFilter: ['class', 'data-vscode-theme-kind'],
  });
}
