// Joining a caller with the seat that answered: answer the caller, make the call's bridge, put
// both in it. Each step is remembered on the call once done, so that a connection tried again
// (after a failure, or for a caller put back in the queue by a dropped nailed seat, still in its
// bridge and hearing a ringback tone) does only the steps still missing.
import type { Telephony } from '../asterisk/telephony';
import type { Call } from './call';

export async function connectToSeat(telephony: Telephony, call: Call, legId: string): Promise<void> {
  const bridgeId = (call.bridgeId ??= `cti110-${call.incidentNumber ?? call.channelId}`);
  if (call.ringbackId) {
    await telephony.stopPlayback(call.ringbackId);
    call.ringbackId = undefined;
  }
  await Promise.all([
    call.connected.callerAnswered || telephony.answer(call.channelId).then(() => void (call.connected.callerAnswered = true)),
    call.connected.bridgeMade || telephony.createBridge(bridgeId, `incident ${call.incidentNumber}`).then(() => void (call.connected.bridgeMade = true)),
  ]);
  await telephony.addToBridge(bridgeId, call.connected.callerInBridge ? [legId] : [call.channelId, legId]);
  call.connected.callerInBridge = true;
}

/** A caller answered and waiting again hears ringing, never silence (the playback's id is kept on the call). */
export async function ringback(telephony: Telephony, call: Call): Promise<void> {
  if (!call.connected.callerAnswered || call.ringbackId) return;
  call.ringbackId = `${call.channelId}-ringback`;
  await telephony.play(call.channelId, 'tone:ring;tonezone=cn', call.ringbackId);
}
