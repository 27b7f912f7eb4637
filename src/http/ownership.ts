// What a call-taker's or officer's request touches, read from its (validated) params: see auth-guard.ts.
import type { FastifyRequest } from 'fastify';
import type { Ownership } from '../auth/roles';

export const byIncident = (req: FastifyRequest): Ownership => ({ incident: (req.params as { number: string }).number });
export const byRecording = (req: FastifyRequest): Ownership => ({ recording: Number((req.params as { id: number }).id) });
export const byOfficerParam = (req: FastifyRequest): Ownership => ({ officer: (req.params as { id: string }).id });
export const byOfficerBody = (req: FastifyRequest): Ownership => ({ officer: (req.body as { officer: string }).officer });
