import type { ReactNode } from 'react';
import DashboardIcon from '@mui/icons-material/Dashboard';
import MapIcon from '@mui/icons-material/Map';
import TimelineIcon from '@mui/icons-material/Timeline';
import ViewKanbanIcon from '@mui/icons-material/ViewKanban';
import { Layout as RaLayout, Menu as RaMenu, usePermissions, useTranslate } from 'react-admin';
import { ListSubheader } from '@mui/material';
import { can } from '../lib/permissions';
import { MENU_GROUPS } from './menuGroups';

/** Role-aware menu: a resource appears only when the role may read it (Menu.ResourceItem checks canAccess). */
export function Menu() {
  const translate = useTranslate();
  const { permissions } = usePermissions();
  const role = permissions as string | undefined;
  return (
    <RaMenu>
      <RaMenu.DashboardItem primaryText={translate('dwg.menu.dashboard')} leftIcon={<DashboardIcon />} />
      <RaMenu.Item
        to="/map"
        primaryText={translate('dwg.menu.map')}
        leftIcon={<MapIcon />}
        data-testid="menu-map"
      />
      <RaMenu.Item to="/playback" primaryText={translate('dwg.menu.playback')} leftIcon={<TimelineIcon />} />
      <RaMenu.Item to="/board" primaryText={translate('dwg.menu.board')} leftIcon={<ViewKanbanIcon />} />
      {MENU_GROUPS.map((g) => {
        const items = g.resources.filter((r) => can(role, r, 'read'));
        if (!items.length) return null;
        return [
          <ListSubheader key={g.key} sx={{ bgcolor: 'transparent', lineHeight: '32px' }}>
            {translate(`dwg.menu.${g.key}`)}
          </ListSubheader>,
          ...items.map((r) => <RaMenu.ResourceItem key={r} name={r} />),
        ];
      })}
    </RaMenu>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  return <RaLayout menu={Menu}>{children}</RaLayout>;
}
