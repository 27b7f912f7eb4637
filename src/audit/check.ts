// The whole chain checked: anchors' signatures first, then every entry in order, a page at a time.
import type { KeyObject } from 'node:crypto';
import type { AuditRepo } from '../store/audit-repo';
import { checkAnchors, type BadAnchor } from './anchors';
import { ChainWalk, type Broken } from './chain';
import { keyIdOf } from './keys';

export interface ChainReport {
  entries: number;
  anchors: number;
  /** The first entry that cannot be trusted, if any. */
  broken: Broken | undefined;
  badAnchors: BadAnchor[];
}

const PAGE = 1000;

export async function checkChain(repo: AuditRepo, keys: readonly KeyObject[]): Promise<ChainReport> {
  const anchors = await repo.anchors();
  const { good, bad } = checkAnchors(anchors, new Map(keys.map((k) => [keyIdOf(k), k])));
  const walk = new ChainWalk(good);
  let after = 0;
  for (;;) {
    const page = await repo.page(after, PAGE);
    for (const e of page) if (!walk.next(e)) break;
    if (walk.broken || page.length < PAGE) break;
    after = page[page.length - 1]!.id;
  }
  return { entries: walk.count, anchors: anchors.length, broken: walk.end(), badAnchors: bad };
}
