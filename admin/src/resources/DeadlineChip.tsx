import { Chip } from '@mui/material';
import { useRecordContext, useTranslate } from 'react-admin';
import { deadlineLevel, type DeadlineLevel } from '../lib/workOrders';

const LEVEL_COLOR: Record<DeadlineLevel, 'error' | 'warning' | 'success' | 'default'> = {
  red: 'error',
  yellow: 'warning',
  overdue: 'error',
  due_soon: 'warning',
  on_track: 'success',
  done: 'default',
};

/** The deadline card: overdue / due soon / on track, or the escalation card (督办) the api set. */
export function DeadlineChip({ record }: { record?: Record<string, unknown>; label?: string }) {
  const ctx = useRecordContext();
  const r = (record ?? ctx) as Parameters<typeof deadlineLevel>[0] | undefined;
  const translate = useTranslate();
  if (!r) return null;
  const level = deadlineLevel(r, Date.now());
  return (
    <Chip
      size="small"
      color={LEVEL_COLOR[level]}
      variant={level === 'red' || level === 'yellow' ? 'filled' : 'outlined'}
      label={translate(`dwg.workOrders.${level}`)}
      data-testid={`deadline-${level}`}
    />
  );
}
