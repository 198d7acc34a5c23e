// The left navigation strip: one icon per view, the current one marked.
import type { ReactNode } from 'react';
import { MOD } from '../components/KeyboardShortcuts.js';
import { routeHref, type Route } from './router.js';

export interface NavItem {
  readonly route: Route;
  readonly label: string;
  readonly icon: ReactNode;
  /** Views that count as this item (history covers the experiment and compare pages). */
  readonly matches: readonly Route['view'][];
}

const icon = (d: string) => (
  <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
    <path d={d} />
  </svg>
);

export const NAV_ITEMS: readonly NavItem[] = [
  { route: { view: 'start' }, label: 'Start', matches: ['start'], icon: icon('M3 11l9-7 9 7M5 10v10h5v-6h4v6h5V10') },
  { route: { view: 'setup' }, label: 'Setup', matches: ['setup'], icon: icon('M4 6h10M18 6h2M4 12h4M12 12h8M4 18h12M20 18h0M14 4v4M8 10v4M16 16v4') },
  { route: { view: 'program' }, label: 'Program', matches: ['program'], icon: icon('M6 3h9l4 4v14H6zM14 3v5h5M9 12h7M9 16h7') },
  { route: { view: 'run' }, label: 'Run', matches: ['run'], icon: icon('M7 4l13 8-13 8z') },
  { route: { view: 'history' }, label: 'History', matches: ['history', 'experiment', 'compare'], icon: icon('M3 12a9 9 0 1 0 3-6.7M3 4v5h5M12 7v5l3 3') },
  { route: { view: 'reports' }, label: 'Reports', matches: ['reports'], icon: icon('M4 20V10M10 20V4M16 20v-7M22 20H2') },
];

export function ActivityBar(props: { readonly current: Route }) {
  return (
    <nav className="activity-bar" aria-label="Views">
      {NAV_ITEMS.map((item, i) => (
        <a
          key={item.label}
          href={routeHref(item.route)}
          title={`${item.label} (${MOD}+${i + 1})`}
          aria-current={item.matches.includes(props.current.view) ? 'page' : undefined}
          data-testid={`nav-${item.route.view}`}
        >
          {item.icon}
          <span>{item.label}</span>
        </a>
      ))}
    </nav>
  );
}
