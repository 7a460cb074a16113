// The app's icons: simple 24×24 strokes drawn for bureau, inline so they cost
// no request and follow the text colour.

const paths = {
  home: 'M3 10.5 12 3l9 7.5M5 9v11h5v-6h4v6h5V9',
  chat: 'M4 5h16v11H9l-5 4z',
  docs: 'M6 3h8l4 4v14H6zM14 3v4h4M9 12h6M9 16h6',
  files: 'M3 6h6l2 2h10v11H3z',
  meetings: 'M3 7h12v10H3zM15 10.5 21 7v10l-6-3.5',
  office: 'M4 21V4h10v17M14 9h6v12M7 8h1M10 8h1M7 12h1M10 12h1M7 16h1M10 16h1M2 21h20',
  search: 'M10.5 4a6.5 6.5 0 1 0 0 13 6.5 6.5 0 1 0 0-13zM15.5 15.5 20 20',
  bell: 'M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 21h4',
  user: 'M12 4a4 4 0 1 0 0 8 4 4 0 1 0 0-8zM4 21c0-4 3.6-6.5 8-6.5s8 2.5 8 6.5',
  people: 'M9 5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 1 0 0-7zM2.5 20c0-3.5 3-5.5 6.5-5.5s6.5 2 6.5 5.5M16 5.2a3.5 3.5 0 0 1 0 6.6M18 14.8c2.2.6 3.5 2.5 3.5 5.2',
  invite: 'M3 6h18v12H3zM3 7l9 6 9-6',
  groups: 'M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4zM13 13h7v7h-7z',
  audit: 'M12 3 4 6v6c0 4.5 3.4 8 8 9 4.6-1 8-4.5 8-9V6zM9 12l2 2 4-4',
  key: 'M7.5 11a4.5 4.5 0 1 0 0 9 4.5 4.5 0 1 0 0-9zM10.7 12.3 19 4M16 7l3 3M14 9l2 2',
  lock: 'M5 11h14v10H5zM8 11V7a4 4 0 0 1 8 0v4',
  devices: 'M3 5h14v10H3zM1 18h18M19 9h4v11h-4z',
  logout: 'M10 4H4v16h6M15 8l4 4-4 4M19 12H9',
  menu: 'M4 6h16M4 12h16M4 18h16',
  close: 'M6 6l12 12M18 6 6 18',
  copy: 'M8 8h12v12H8zM16 8V4H4v12h4',
  check: 'M5 12.5 10 17l9-10',
  plus: 'M12 5v14M5 12h14',
  trash: 'M4 7h16M9 7V4h6v3M6 7l1 14h10l1-14M10 11v6M14 11v6',
  globe: 'M12 3a9 9 0 1 0 0 18 9 9 0 1 0 0-18zM3 12h18M12 3c2.5 2.5 3.8 5.5 3.8 9s-1.3 6.5-3.8 9c-2.5-2.5-3.8-5.5-3.8-9S9.5 5.5 12 3',
  camera: 'M4 8h3l2-3h6l2 3h3v11H4zM12 10.5a3 3 0 1 0 0 6 3 3 0 1 0 0-6z',
  refresh: 'M20 11a8 8 0 0 0-14.5-4.5L4 8M4 4v4h4M4 13a8 8 0 0 0 14.5 4.5L20 16M20 20v-4h-4',
  offline: 'M2 8.5a15 15 0 0 1 4-2.6M9.5 5.2A15 15 0 0 1 22 8.5M5 12a10 10 0 0 1 4-2.3M15 10a10 10 0 0 1 4 2M8.5 15.5a5 5 0 0 1 7 0M12 19h.01M3 3l18 18',
  arrowRight: 'M5 12h14M13 6l6 6-6 6',
  sparkle: 'M12 3v4M12 17v4M3 12h4M17 12h4M6 6l2.5 2.5M15.5 15.5 18 18M6 18l2.5-2.5M15.5 8.5 18 6',
  alert: 'M12 3 2 20h20zM12 10v4M12 17h.01',
  info: 'M12 3a9 9 0 1 0 0 18 9 9 0 1 0 0-18zM12 11v5M12 8h.01',
  pin: 'M9 3h6l-1 6 4 4H6l4-4zM12 13v8',
  smile: 'M12 3a9 9 0 1 0 0 18 9 9 0 1 0 0-18zM8.5 14a4 4 0 0 0 7 0M9 9.5h.01M15 9.5h.01',
  reply: 'M10 8 5 12l5 4M5 12h9a5 5 0 0 1 5 5v2',
  edit: 'M4 20h4L19 9l-4-4L4 16zM13 7l4 4',
  attach: 'M20 11.5 12 19.5a5 5 0 0 1-7-7L13.5 4a3.3 3.3 0 0 1 4.7 4.7L10 17a1.7 1.7 0 0 1-2.4-2.4L15 7.2',
  link: 'M10 14a4 4 0 0 0 6 .4l3-3a4 4 0 0 0-5.7-5.7l-1.2 1.2M14 10a4 4 0 0 0-6-.4l-3 3a4 4 0 0 0 5.7 5.7l1.2-1.2',
  send: 'M4 12 20 4l-5 16-3-7zM12 13l8-9',
  upload: 'M12 16V4M7 9l5-5 5 5M4 15v5h16v-5',
  download: 'M12 4v12M7 11l5 5 5-5M4 15v5h16v-5',
  file: 'M6 3h8l4 4v14H6zM14 3v4h4',
  folderPlus: 'M3 6h6l2 2h10v11H3zM12 11v5M9.5 13.5h5',
  grid: 'M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4zM13 13h7v7h-7z',
  mic: 'M9 4a3 3 0 0 1 6 0v7a3 3 0 0 1-6 0zM5 11a7 7 0 0 0 14 0M12 18v3M8 21h8',
  micOff: 'M9 4a3 3 0 0 1 6 0v7a3 3 0 0 1-6 0zM5 11a7 7 0 0 0 14 0M12 18v3M8 21h8M3 3l18 18',
  video: 'M3 7h12v10H3zM15 10.5 21 7v10l-6-3.5',
  videoOff: 'M3 7h12v10H3zM15 10.5 21 7v10l-6-3.5M2 3l20 18',
  screen: 'M3 4h18v12H3zM8 20h8M12 16v4M12 13V7M9 10l3-3 3 3',
  hand: 'M7 12V6a1.5 1.5 0 0 1 3 0v5M10 11V4a1.5 1.5 0 0 1 3 0v7M13 11V5a1.5 1.5 0 0 1 3 0v7M16 12V8a1.5 1.5 0 0 1 3 0v6a7 7 0 0 1-7 7h-1a6 6 0 0 1-5-3l-2.5-4a1.5 1.5 0 0 1 2.5-1.5L7 14',
  hangup: 'M3 14c5-5 13-5 18 0l-2 3-4-1v-3c-2-1-4-1-6 0v3l-4 1z',
  speaker: 'M3 3h18v13H3zM6 19h3v2H6zM10.5 19h3v2h-3zM15 19h3v2h-3z',
  list: 'M8 6h12M8 12h12M8 18h12M4 6h.01M4 12h.01M4 18h.01',
  table: 'M3 5h18v14H3zM3 10h18M3 15h18M9 5v14',
  text: 'M5 6h14M12 6v13M9 19h6',
  hash: 'M10 4 8 20M16 4l-2 16M4 9h16M3 15h16',
  calendar: 'M4 6h16v14H4zM4 10h16M8 3v5M16 3v5',
  filter: 'M4 5h16l-6 7v6l-4 2v-8z',
  sort: 'M7 4v16M3 16l4 4 4-4M17 20V4M13 8l4-4 4 4',
  choice: 'M12 3a9 9 0 1 0 0 18 9 9 0 1 0 0-18zM8 11l4 4 4-4',
  more: 'M5 12h.01M12 12h.01M19 12h.01',
  move: 'M3 6h6l2 2h10v11H3zM10 13.5h6M13.5 11l2.5 2.5-2.5 2.5',
  history: 'M4 12a8 8 0 1 0 2.3-5.7L4 8.5M4 4v4.5h4.5M12 8v4l3 2',
  pause: 'M8 5v14M16 5v14',
  play: 'M7 5v14l12-7z',
  undo: 'M9 14 4 9l5-5M4 9h10a6 6 0 0 1 0 12h-3',
  image: 'M4 5h16v14H4zM4 16l5-5 4 4 2-2 5 5M15 9h.01',
  chevronLeft: 'M15 5l-7 7 7 7',
  chevronRight: 'M9 5l7 7-7 7',
  arrowUp: 'M12 19V5M6 11l6-6 6 6',
  arrowDown: 'M12 5v14M6 13l6 6 6-6',
  sidebar: 'M4 5h16v14H4zM9.5 5v14M6 8.5h1.5M6 11h1.5',
  star: 'M12 3.5l2.6 5.3 5.9.9-4.3 4.1 1 5.8-5.2-2.7-5.2 2.7 1-5.8-4.3-4.1 5.9-.9z',
  gauge: 'M3.5 17a8.5 8.5 0 1 1 17 0M12 17l4.5-5.5M12 17h.01',
  chart: 'M4 4v16h16M8 16v-4M12 16V8M16 16v-6',
  sliders: 'M4 7h9M17 7h3M4 17h3M11 17h9M15 5v4M9 15v4',
} as const;

export type IconName = keyof typeof paths;

export function Icon({ name, class: className }: { name: IconName; class?: string }) {
  return (
    <svg class={className ? `icon ${className}` : 'icon'} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d={paths[name]} />
    </svg>
  );
}

/** bureau's mark: a window of four panes, the office seen from outside. */
export function Logo({ class: className }: { class?: string }) {
  return (
    <svg class={className ? `logo ${className}` : 'logo'} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect class="logo-bg" width="32" height="32" rx="8" />
      <rect class="logo-pane" x="8" y="8" width="7" height="7" rx="1.5" />
      <rect class="logo-pane" x="17" y="8" width="7" height="7" rx="1.5" />
      <rect class="logo-pane" x="8" y="17" width="7" height="7" rx="1.5" />
      <rect class="logo-pane logo-lit" x="17" y="17" width="7" height="7" rx="1.5" />
    </svg>
  );
}
