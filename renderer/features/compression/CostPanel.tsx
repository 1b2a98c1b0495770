import { useEffect, useState } from 'react';
import type { StorageOverview } from '../../../shared/api/storage';
import { DEFAULT_PRICES, monthlyCost } from '../../../shared/cost';
import { formatBytes } from '../../../shared/format';
import { api } from '../../api/client';
import { costModel, parsePrice } from './costModel';
import { formatUsd } from './units';
import { Card } from '../../lib/ui/Card';
import { ErrorBox } from '../../lib/ui/ErrorBox';

interface Props {
  overview: StorageOverview;
}

const PRICES_KEY = 'bw.compression.prices';

interface StoredPrices {
  hot: string;
  cold: string;
  window: string;
  keep: string;
}

function readPrices(): StoredPrices {
  const defaults: StoredPrices = {
    hot: String(DEFAULT_PRICES.hotPerGbMonth.toFixed(2)),
    cold: String(DEFAULT_PRICES.coldPerGbMonth.toFixed(2)),
    window: '7',
    keep: '7',
  };
  try {
    const raw = localStorage.getItem(PRICES_KEY);
    if (!raw) return defaults;
    const v = JSON.parse(raw) as Partial<Record<keyof StoredPrices, unknown>>;
    return {
      hot: typeof v.hot === 'string' ? v.hot : defaults.hot,
      cold: typeof v.cold === 'string' ? v.cold : defaults.cold,
      window: typeof v.window === 'string' ? v.window : defaults.window,
      keep: typeof v.keep === 'string' ? v.keep : defaults.keep,
    };
  } catch {
    return defaults;
  }
}

function days(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,4}$/.test(t)) return null;
  return Number(t);
}

/**
 * What the lifecycle policies would do now (their dry runs): per dataset with a retention period, the bytes past it;
 * per tier of the lake, the bytes in it today and once the tier policies are applied.
 */
interface LifecycleEffect {
  datasets: { dataset: string; retainDays: number; bytes: number; held: boolean }[];
  /** The hot windows the policies set, per dataset. */
  hotDays: Record<string, number>;
  tiers: { tier: string; today: number; applied: number }[];
}

function useLifecycleEffect(): LifecycleEffect | null {
  const [effect, setEffect] = useState<LifecycleEffect | null>(null);
  useEffect(() => {
    let live = true;
    void (async () => {
      const p = await api.lifecycle.policies({});
      if (!p.ok) return;
      const out: LifecycleEffect['datasets'] = [];
      const tiers = p.value.lake.tiers.map((tier) => ({ tier, today: 0, applied: 0 }));
      for (const policy of p.value.policies) {
        if (tiers.length > 1) {
          const plan = await api.lifecycle.tierPlan({ dataset: policy.dataset });
          if (plan.ok)
            for (const t of tiers) {
              t.today += plan.value.today.find((x) => x.tier === t.tier)?.bytes ?? 0;
              t.applied += plan.value.applied.find((x) => x.tier === t.tier)?.bytes ?? 0;
            }
        }
        if (policy.retainDays === null) continue;
        const plan = await api.lifecycle.retention({ dataset: policy.dataset });
        if (plan.ok)
          out.push({ dataset: policy.dataset, retainDays: policy.retainDays, bytes: plan.value.retire.bytes, held: policy.legalHold });
      }
      const hotDays = Object.fromEntries(p.value.policies.flatMap((x) => (x.hotDays === null ? [] : [[x.dataset, x.hotDays]])));
      if (live) setEffect({ datasets: out, tiers, hotDays });
    })();
    return () => {
      live = false;
    };
  }, []);
  return effect;
}

const TIER_PRICES_KEY = 'bw.compression.tierPrices';

/** List prices per GB-month (AWS S3, us-east-1, 2026; a local archive folder: a NAS's rough cost) until the user enters theirs. */
const DEFAULT_TIER_PRICES: Record<string, string> = { STANDARD: '0.023', STANDARD_IA: '0.0125', GLACIER_IR: '0.004', archive: '0.01' };

function readTierPrices(): Record<string, string> {
  try {
    const v = JSON.parse(localStorage.getItem(TIER_PRICES_KEY) ?? '{}') as Record<string, unknown>;
    return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}

/** The lake's monthly cost per tier today and with the tier policies applied, each tier's price editable. */
function TierCostTable({ tiers, coldPrice }: { tiers: LifecycleEffect['tiers']; coldPrice: string }) {
  const [prices, setPrices] = useState<Record<string, string>>(readTierPrices);
  // The lake's first tier costs what the cold price above says, unless a price of its own was entered.
  const priceText = (tier: string, i: number): string => prices[tier] ?? (i === 0 ? coldPrice : (DEFAULT_TIER_PRICES[tier] ?? coldPrice));
  const edit = (tier: string, value: string) => {
    const next = { ...prices, [tier]: value };
    setPrices(next);
    try {
      localStorage.setItem(TIER_PRICES_KEY, JSON.stringify(next));
    } catch {
      // Not kept; fine.
    }
  };
  const rows = tiers.map((t, i) => ({ ...t, price: parsePrice(priceText(t.tier, i)) }));
  const valid = rows.every((r) => r.price !== null);
  const today = rows.reduce((a, r) => a + monthlyCost(r.today, r.price ?? 0), 0);
  const applied = rows.reduce((a, r) => a + monthlyCost(r.applied, r.price ?? 0), 0);
  return (
    <table className="lake-table cost-table" data-testid="cost-tiers">
      <thead>
        <tr>
          <th>Lake tier</th>
          <th className="num">$/GB-month</th>
          <th className="num">Bytes today</th>
          <th className="num">Per month</th>
          <th className="num">Bytes, policies applied</th>
          <th className="num">Per month</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={r.tier}>
            <td className="mono">{r.tier}</td>
            <td className="num">
              <input
                className={r.price === null ? 'lake-input num invalid' : 'lake-input num'}
                inputMode="decimal"
                aria-label={`${r.tier} price per GB-month`}
                data-testid={`price-tier-${r.tier}`}
                value={priceText(r.tier, i)}
                onChange={(e) => edit(r.tier, e.target.value)}
                style={{ width: '6em' }}
              />
            </td>
            <td className="num">{formatBytes(r.today)}</td>
            <td className="num">{formatUsd(monthlyCost(r.today, r.price ?? 0))}</td>
            <td className="num">{formatBytes(r.applied)}</td>
            <td className="num">{formatUsd(monthlyCost(r.applied, r.price ?? 0))}</td>
          </tr>
        ))}
        <tr className="total">
          <td colSpan={3}>{valid ? 'The lake per month' : 'Prices must be numbers of dollars'}</td>
          <td className="num">{formatUsd(today)}</td>
          <td className="num">
            saves <b data-testid="cost-tier-saving">{formatUsd(today - applied)}</b>
          </td>
          <td className="num" data-testid="cost-tier-applied">
            {formatUsd(applied)}
          </td>
        </tr>
      </tbody>
    </table>
  );
}

/** Storage cost: bytes × price per GB-month for PostgreSQL (hot) and object storage (cold), and what archiving and retention save. */
export function CostPanel({ overview }: Props) {
  const retention = useLifecycleEffect();
  const [text, setText] = useState<StoredPrices>(readPrices);
  const update = (patch: Partial<StoredPrices>) => {
    const next = { ...text, ...patch };
    setText(next);
    try {
      localStorage.setItem(PRICES_KEY, JSON.stringify(next));
    } catch {
      // Not kept; fine.
    }
  };
  const hot = parsePrice(text.hot);
  const cold = parsePrice(text.cold);
  const windowDays = days(text.window);
  const keepDays = days(text.keep);
  const valid = hot !== null && cold !== null && windowDays !== null && keepDays !== null;
  const m = valid
    ? costModel(overview, {
        hotPerGbMonth: hot,
        coldPerGbMonth: cold,
        hotWindowDays: windowDays,
        keepHotDays: keepDays,
        ...(retention ? { keepHotDaysOf: retention.hotDays } : {}),
      })
    : null;

  return (
    <Card
      label="Storage cost projection"
      testId="cost-projection"
      title="Storage cost projection"
      sub="bytes × price per GB-month"
      actions={
        <button
          type="button"
          className="btn small"
          onClick={() =>
            update({ hot: DEFAULT_PRICES.hotPerGbMonth.toFixed(2), cold: DEFAULT_PRICES.coldPerGbMonth.toFixed(2), window: '7', keep: '7' })
          }
        >
          Reset
        </button>
      }
    >
      <div className="lake-form row">
        <label className="lake-field-inline">
          PostgreSQL (hot) $/GB-month
          <input
            className={hot === null ? 'lake-input num invalid' : 'lake-input num'}
            data-testid="price-hot"
            inputMode="decimal"
            value={text.hot}
            onChange={(e) => update({ hot: e.target.value })}
          />
        </label>
        <label className="lake-field-inline">
          Object storage (cold) $/GB-month
          <input
            className={cold === null ? 'lake-input num invalid' : 'lake-input num'}
            data-testid="price-cold"
            inputMode="decimal"
            value={text.cold}
            onChange={(e) => update({ cold: e.target.value })}
          />
        </label>
        <label className="lake-field-inline">
          Hot window now (days)
          <input
            className={windowDays === null ? 'lake-input num invalid' : 'lake-input num'}
            inputMode="numeric"
            value={text.window}
            onChange={(e) => update({ window: e.target.value })}
          />
        </label>
        <label className="lake-field-inline">
          Keep hot (days)
          <input
            className={keepDays === null ? 'lake-input num invalid' : 'lake-input num'}
            data-testid="keep-hot-days"
            inputMode="numeric"
            value={text.keep}
            onChange={(e) => update({ keep: e.target.value })}
          />
        </label>
      </div>
      {!m && <ErrorBox variant="inline" error="Prices must be numbers of dollars (e.g. 0.20) and windows whole days." alert={false} />}
      {m && (
        <>
          <table className="lake-table cost-table">
            <thead>
              <tr>
                <th>Where</th>
                <th className="num">Bytes</th>
                <th className="num">Per month</th>
                <th className="num">Per year</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td>Hot: PostgreSQL{overview.hot ? '' : ' (not reachable)'}</td>
                <td className="num">{formatBytes(m.hotBytes)}</td>
                <td className="num">{formatUsd(m.hotMonthly)}</td>
                <td className="num">{formatUsd(m.hotMonthly * 12)}</td>
              </tr>
              <tr>
                <td>Cold: Parquet lake</td>
                <td className="num">{formatBytes(m.coldBytes)}</td>
                <td className="num">{formatUsd(m.coldMonthly)}</td>
                <td className="num">{formatUsd(m.coldMonthly * 12)}</td>
              </tr>
              <tr className="total">
                <td>Total now</td>
                <td className="num">{formatBytes(m.hotBytes + m.coldBytes)}</td>
                <td className="num" data-testid="cost-total">
                  {formatUsd(m.totalMonthly)}
                </td>
                <td className="num">{formatUsd(m.totalMonthly * 12)}</td>
              </tr>
            </tbody>
          </table>
          <ul className="cost-notes">
            <li>
              Kept all in PostgreSQL, the lake&apos;s rows would cost about <b>{formatUsd(m.allHotMonthly)}</b> a month in total: archival
              saves <b data-testid="cost-archival-saving">{formatUsd(m.allHotMonthly - m.totalMonthly)}</b> a month today.
            </li>
            <li>
              Keeping {keepDays} instead of {windowDays} days hot
              {retention && Object.keys(retention.hotDays).length > 0
                ? ` (${Object.entries(retention.hotDays)
                    .map(([d, n]) => `${d}: ${n} days`)
                    .join(', ')}, by the lifecycle policies)`
                : ''}{' '}
              would move {formatBytes(m.archivableHotBytes)} of time-series rows (of {formatBytes(m.timeseriesHotBytes)}) to the lake and
              save <b data-testid="cost-window-saving">{formatUsd(m.archivalSavingMonthly)}</b> a month.
            </li>
            {retention && (
              <li data-testid="cost-retention">
                {retention.datasets.length === 0 ? (
                  <>No retention period is set: the lake keeps every raw row (the Lifecycle view sets one).</>
                ) : (
                  <>
                    With the retention policies applied (
                    {retention.datasets.map((d) => `${d.dataset}: ${d.retainDays} days${d.held ? ', on hold' : ''}`).join('; ')}),{' '}
                    {formatBytes(retention.datasets.reduce((a, d) => a + d.bytes, 0))} of raw rows past their period would go from the lake:
                    the cold tier would cost{' '}
                    <b data-testid="cost-retention-saving">
                      {formatUsd(
                        monthlyCost(
                          retention.datasets.reduce((a, d) => a + d.bytes, 0),
                          cold ?? 0,
                        ),
                      )}
                    </b>{' '}
                    a month less.
                  </>
                )}
              </li>
            )}
            {retention && retention.tiers.length > 1 && (
              <li>
                The lake&apos;s tiers (the Lifecycle view sets which days go where):
                <TierCostTable tiers={retention.tiers} coldPrice={text.cold} />
              </li>
            )}
            {retention && retention.tiers.length === 1 && (
              <li className="dim" data-testid="cost-tiers-none">
                The lake has one tier: a colder one (a local archive folder, or S3&apos;s Infrequent Access and Glacier Instant Retrieval)
                would cost less for old days.
              </li>
            )}
            <li className="dim">
              PostgreSQL takes {m.pgExpansion.toFixed(1)}× the Parquet bytes for the same rows (
              {m.expansionMeasured ? 'measured on datasets held in both tiers' : 'an estimate: no dataset is in both tiers'}).
            </li>
          </ul>
        </>
      )}
    </Card>
  );
}
