import { Box, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import outline from '../data/rwanda-outline.json';
import { outlinePath, project, type FacilityRow } from '../fhir/facilities.ts';

const width = 640;
const height = 560;
const levelColor: Record<string, string> = {
  'referral-hospital': '#c92a2a', 'district-hospital': '#e67700', 'health-centre': '#0b7285', 'health-post': '#5c940d',
};

/** Rwanda's border (Natural Earth, public domain; web/scripts/generate-rwanda-outline.ts), projected once. */
const border = outlinePath(outline.geometry.coordinates, width, height);

/**
 * Facilities drawn on Rwanda's border with the district centres as landmarks: no online map tiles
 * (facilities may be offline, and tiles would send every viewer's position to a third party).
 * District boundaries are not shipped, so districts are labels at their centres.
 */
export function FacilityMap({ facilities, districts, selected, onSelect }: {
  facilities: FacilityRow[];
  districts: { name: string; lat: number; long: number }[];
  selected?: string;
  onSelect: (id: string) => void;
}) {
  const { t } = useTranslation();
  const drawn = facilities.map((f) => ({ f, at: f.lat !== undefined && f.long !== undefined ? project(f.lat, f.long, width, height) : undefined }));
  return (
    <Box>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={t('facilities.mapLabel')} data-testid="facility-map" style={{ maxHeight: 520, background: '#f1f7f6', borderRadius: 8 }}>
        <path
          d={border} fill="#ffffff" fillRule="evenodd" stroke="#868e96" strokeWidth={1} strokeLinejoin="round"
          aria-hidden="true" data-testid="country-outline"
        />
        {districts.map((d) => {
          const at = project(d.lat, d.long, width, height);
          return at && <text key={d.name} x={at.x} y={at.y} fontSize={11} fill="#868e96" textAnchor="middle">{d.name}</text>;
        })}
        {drawn.map(({ f, at }) => at && (
          <circle
            key={f.id} cx={at.x} cy={at.y} r={f.id === selected ? 8 : 5}
            fill={levelColor[f.level ?? ''] ?? '#495057'} stroke={f.id === selected ? '#000' : '#fff'} strokeWidth={1.5}
            data-testid="facility-dot" data-facility={f.id} style={{ cursor: 'pointer' }}
            onClick={() => onSelect(f.id)}
          >
            <title>{f.name}</title>
          </circle>
        ))}
      </svg>
      <Text size="xs" c="dimmed">{t('facilities.mapNote', { shown: drawn.filter((d) => d.at).length, total: facilities.length })}</Text>
    </Box>
  );
}
