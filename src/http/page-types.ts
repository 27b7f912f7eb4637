// What the browser pages (web/*.js) read, as the server declares it: the pages import these types
// in JSDoc and are type-checked against them (tsconfig.web.json, part of `npm run build`), so a
// field renamed here or in the declarations below fails the build instead of a page at run time.
// Types only: nothing of this file reaches the browser.
import type { Static } from '@sinclair/typebox';
import type { IncidentWithTimeline as IncidentSchema } from './schemas';
import type { ConversationBody } from '../texts/schemas';
import type { Period } from '../stats/period';
import type { ServiceLevel } from '../stats/service-level';
import type { LiveFigures } from '../stats/snapshot';
import type { Cell } from '../dispatch/grid';
import type { Ranking } from '../dispatch/ranking';
import type { CallerLocation } from '../dispatch/location';

export type { Alert, CallView, LiveMessage, SeatView } from '../events/messages';
export type { TimelineKind } from '../incidents/timeline-kinds';
export type { MinutePoint, Recent, Staffing } from '../stats/recent';
export type { Officer } from '../dispatch/officers';
export type { AbandonedRow as AbandonedCall } from '../store/incidents-repo';
export type { RecordingHit as RecordingItem } from '../store/recordings-search';
export type { DaySample as SpotCheckSample } from '../recording/spot-check';
export type { SeatPhone } from '../queue/seat-phones';
export type { MonitoringView, Supervisor } from '../monitoring/monitoring-service';
export type { FollowUpStats, FollowUpFigures } from '../followup/stats';

/** GET /incidents/:number */
export type IncidentWithTimeline = Static<typeof IncidentSchema>;
/** One step of GET /incidents/:number's timeline, or of the live stream's incident message. */
export type TimelineEntry = IncidentWithTimeline['timeline'][number];
/** GET /incidents/:number/texts: a text report's conversation (12110) */
export type TextConversation = Static<typeof ConversationBody>;
/** GET /stats/queue */
export interface QueueStats {
  now: LiveFigures;
  period: Period & ServiceLevel;
}
/** GET /dispatch/cells: the grid as GeoJSON (http/routes/officers.ts). */
export interface CellCollection {
  type: 'FeatureCollection';
  features: { type: 'Feature'; properties: Pick<Cell, 'id' | 'unit'>; geometry: Cell['geometry'] }[];
}
/** GET /dispatch/nearest: the ranking, with the location as it was found (source, pole). */
export type NearestAnswer = Omit<Ranking, 'location'> & { location: CallerLocation };
