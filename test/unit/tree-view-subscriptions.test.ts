// Tree views let go of their source (issue 12): once the extension disposes what it holds for the
// Hotspots, Alerts and Production Impact views, no listener of theirs is left on the source's
// onDidChange (the views used to drop the Disposable of that subscription, so nothing could
// remove it; fixed by src/extension/views/refreshing-tree.ts).
//
// Not a real VS Code host: these run the view classes against a minimal test double of the
// `vscode` module (test/support/vscode-double.ts: events, disposables, tree registrations) and
// count the listeners on a source event that outlives the view. A real workbench shows nothing
// here: on deactivate the sources (Insights, ImpactController) dispose their own emitters as well,
// which drops every listener whether the views removed theirs or not.
//
// The double must be imported before the modules under test: it makes their `vscode` resolve to it.
import { EventEmitter, treeRefreshes, window, type Disposable } from '../support/vscode-double';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ImpactView } from '../../src/extension/impact/impact-view';
import type { ImpactController } from '../../src/extension/impact/impact-controller';
import { AlertsView } from '../../src/extension/views/alerts-view';
import { HotspotsView } from '../../src/extension/views/hotspots-view';
import type { Insights } from '../../src/extension/views/insights';

/** Insights as the Hotspots and Alerts views read it: nothing found yet, and its change event. */
function insightsWith(changes: EventEmitter<void>): Insights {
  return {
    onDidChange: changes.event,
    hotspots: [],
    alerts: [],
    ranking: 'timeSpent',
    serviceFilter: undefined,
    environmentFilter: undefined,
  } as unknown as Insights;
}

/**
 * What the extension disposes for a view registered with registerTreeDataProvider: the
 * registration, and the provider when it is disposable (before the fix it was not, so its
 * subscription could not be removed at all).
 */
function disposeRegistered(registration: Disposable, provider: object): void {
  registration.dispose();
  (provider as { dispose?: () => void }).dispose?.();
}

test('the Hotspots view, registered and then disposed, leaves no listener on Insights.onDidChange', () => {
  const changes = new EventEmitter<void>();
  const registration = HotspotsView.register(insightsWith(changes));
  changes.fire();
  assert.equal(treeRefreshes.get('prodlens.hotspots'), 1, 'the view redraws on a change');
  registration.dispose();
  assert.equal(
    changes.listenerCount,
    0,
    `listeners left on Insights.onDidChange after the Hotspots view was disposed: ${changes.listenerCount}`,
  );
});

test('the Alerts view, registered and then disposed, leaves no listener on Insights.onDidChange', () => {
  const changes = new EventEmitter<void>();
  const provider = new AlertsView(insightsWith(changes));
  const registration = window.registerTreeDataProvider('prodlens.alerts', provider);
  changes.fire();
  assert.equal(treeRefreshes.get('prodlens.alerts'), 1, 'the view redraws on a change');
  disposeRegistered(registration, provider);
  assert.equal(
    changes.listenerCount,
    0,
    `listeners left on Insights.onDidChange after the Alerts view was disposed: ${changes.listenerCount}`,
  );
});

test('the Production Impact view, registered and then disposed, leaves no listener on ImpactController.onDidChange', () => {
  const changes = new EventEmitter<void>();
  const impact = { onDidChange: changes.event } as unknown as ImpactController;
  const provider = new ImpactView(impact);
  const registration = window.registerTreeDataProvider('prodlens.impact', provider);
  changes.fire();
  assert.equal(treeRefreshes.get('prodlens.impact'), 1, 'the view redraws on a change');
  disposeRegistered(registration, provider);
  assert.equal(
    changes.listenerCount,
    0,
    `listeners left on ImpactController.onDidChange after the Production Impact view was disposed: ${changes.listenerCount}`,
  );
});
