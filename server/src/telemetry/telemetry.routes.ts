/**
 * `POST /api/v1/telemetry`. Checks run cheapest first and before the body is read where they can:
 * 429 too many wrong tokens from this address → 503 ingest off → 401 token → 429 budget (counted only once the token is
 * accepted; shared with the /ingest namespace, see security/ingestLimits.ts) → 415 content type → 413 size → 400 JSON →
 * 400 schema → 200 when durable.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorResponse } from '@models/api.ts';
import { MAX_READINGS_PER_BATCH, type IngestAccepted } from '@models/telemetry.ts';
import { IngestUnavailable, type IngestPort } from './telemetry.service.ts';
import type { IngestLimits } from '../security/ingestLimits.ts';
import { metrics } from '../ops/metrics.ts';

/** Room for a full batch (MAX_READINGS_PER_BATCH readings of ~200 bytes each). */
export const INGEST_BODY_LIMIT = 4 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

const isJson = (contentType: string | undefined) => /^application\/json\s*(;|$)/i.test(contentType ?? '');

export async function registerTelemetryRoutes(http: FastifyInstance, deps: { service: IngestPort; limits: IngestLimits }): Promise<void> {
  const { service } = deps;
  // Encapsulated: the error shapes apply to this route only.
  await http.register(async (scope) => {
    scope.addHook('onResponse', metrics.ingestHttpResponse);

    scope.setErrorHandler((err: FastifyError, req, reply) => {
      const status = err.statusCode ?? 500;
      let error = err.message;
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') error = `request body too large: at most ${INGEST_BODY_LIMIT} bytes; send at most ${MAX_READINGS_PER_BATCH} readings per batch`;
      else if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') error = 'request body is not valid JSON';
      else if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') error = 'request body is empty; expected {"readings": [...]}';
      else if (err instanceof IngestUnavailable) reply.header('retry-after', 1);
      else if (status >= 500 && !(err instanceof HttpError)) {
        req.log.error({ err }, 'ingest failed');
        error = 'the batch could not be stored; nothing was written, send it again';
      }
      return reply.code(status).send({ error } satisfies ErrorResponse);
    });

    scope.post(
      '/api/v1/telemetry',
      {
        bodyLimit: INGEST_BODY_LIMIT,
        // preParsing, so no body is read before the token and the budget are checked.
        preParsing: async (req: FastifyRequest, reply: FastifyReply, payload) => {
          const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
          const address = req.socket.remoteAddress ?? 'unknown';
          const admission = await deps.limits.admitRequest(address, match?.[1], (t) => service.authProblem(t));
          if (!admission.ok) {
            metrics.ingestReason(req, admission.reason);
            if (admission.status === 401) reply.header('www-authenticate', 'Bearer realm="ingest"');
            if (admission.retryAfterS !== undefined) reply.header('retry-after', admission.retryAfterS);
            throw new HttpError(admission.status, admission.error);
          }
          if (!isJson(req.headers['content-type'])) throw new HttpError(415, `Content-Type must be application/json, not ${req.headers['content-type'] ?? 'missing'}`);
          return payload;
        },
      },
      async (req, reply): Promise<IngestAccepted | ErrorResponse> => {
        const outcome = await service.ingest(req.body);
        if (!outcome.ok) return reply.code(outcome.status ?? 400).send({ error: `${outcome.status === 409 ? 'conflicting batch' : 'invalid batch'}: ${outcome.issues.length} problem(s), nothing was stored`, issues: outcome.issues });
        metrics.ingestAccepted(outcome.accepted);
        return outcome.accepted;
      },
    );
  });
}
