/** Huza's mark: an "H" bridging two systems, in the app's teal with Rwanda's sun-yellow. */
export function HuzaMark({ size = 32 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 64 64" aria-hidden="true" focusable="false">
      <rect width="64" height="64" rx="14" fill="#0b7a75" />
      <path d="M18 16v32M46 16v32M18 32h28" stroke="#fff" strokeWidth="7" strokeLinecap="round" />
      <circle cx="32" cy="32" r="5" fill="#f5c518" />
    </svg>
  );
}
