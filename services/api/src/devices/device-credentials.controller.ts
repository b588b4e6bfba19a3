import { Controller, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { DeviceKind } from '@dwg/contracts';
import { Act, CurrentUser, ResourceOf } from '../auth/decorators';
import type { Principal } from '../policy/principal';
import { devices } from '../resources/definitions';
import { ResourceService } from '../resources/resource.service';
import { DeviceStore } from './device.store';

@ApiTags('devices')
@ApiBearerAuth()
@ResourceOf('devices')
@Controller('api/devices')
export class DeviceCredentialsController {
  constructor(
    @Inject(ResourceService) private readonly svc: ResourceService,
    @Inject(DeviceStore) private readonly store: DeviceStore,
  ) {}

  @Post(':id/credentials')
  @Act('write')
  @ApiOperation({
    summary:
      'Issue a new secret for a device (the old one stops working); the secret is shown only in this response',
  })
  async rotate(@CurrentUser() p: Principal, @Param('id') id: string) {
    const d = await this.svc.getStored(devices, p, id);
    const cred = await this.store.rotate(id, d.kind as DeviceKind, d.enabled === true);
    await this.svc.recordAudit(devices, p, 'rotate-credential', d);
    return { deviceId: cred.deviceId, kind: cred.kind, secret: cred.secret };
  }
}
