import { fireEvent, render, screen } from '@testing-library/react';
import { AdminContext, RecordContextProvider } from 'react-admin';
import { i18nProvider } from '../i18n/i18nProvider';
import { DeadlineChip } from './DeadlineChip';
import { SecretDialog } from './SecretDialog';

function inConsole(ui: React.ReactNode) {
  return render(<AdminContext i18nProvider={i18nProvider}>{ui}</AdminContext>);
}

describe('console components', () => {
  it('shows a device secret once, in Chinese, and closes', () => {
    const onClose = jest.fn();
    inConsole(<SecretDialog secret="s3cret-value-123456" deviceId="bdg-0300" onClose={onClose} />);
    expect(screen.getByText('设备密钥（仅显示一次）')).toBeTruthy();
    expect((screen.getByTestId('device-secret') as HTMLInputElement).value).toBe('s3cret-value-123456');
    expect((screen.getByTestId('device-secret') as HTMLInputElement).readOnly).toBe(true);
    fireEvent.click(screen.getByText('关闭'));
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('shows the deadline card of a work order from its record', () => {
    const past = new Date(Date.now() - 60_000).toISOString();
    inConsole(
      <>
        <RecordContextProvider value={{ id: 'w1', state: 'dispatched', deadline: past }}>
          <DeadlineChip />
        </RecordContextProvider>
        <DeadlineChip record={{ id: 'w2', state: 'accepted', deadline: past, escalation: 'red' }} />
        <DeadlineChip record={{ id: 'w3', state: 'closed', deadline: past }} />
      </>,
    );
    expect(screen.getByTestId('deadline-overdue').textContent).toBe('已超时');
    expect(screen.getByTestId('deadline-red').textContent).toBe('红牌督办');
    expect(screen.getByTestId('deadline-done').textContent).toBe('已完成');
  });
});
