import { createTheme, type MantineColorsTuple } from '@mantine/core';

/** Huza's teal, from the mark (#0b7a75 at shade 7). */
const huza: MantineColorsTuple = [
  '#e6f5f4', '#cdeae8', '#9fd5d1', '#6ebfba', '#47ada7', '#2ea19b', '#1a948e', '#0b7a75', '#086a66', '#045a56',
];

export const theme = createTheme({
  colors: { huza },
  primaryColor: 'huza',
  primaryShade: 7,
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif',
  headings: { fontWeight: '650' },
});
