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

/** What the retention policies would delete now (their dry runs): per dataset with a period, the bytes past it. */
interface RetentionEffect {
  datasets: { dataset: string; retainDays: number; bytes: number; held: boolean }[];
}

function useRetentionEffect(): RetentionEffect | null {
  const [effect, setEffect] = useState<RetentionEffect | null>(null);
  useEffect(() => {
    let live = true;
    void (async () => {
      const p = await api.lifecycle.policies({});
      if (!p.ok) return;
      const out: RetentionEffect['datasets'] = [];
      for (const policy of p.value.policies) {
        if (policy.retainDays === null) continue;
        const plan = await api.lifecycle.retention({ dataset: policy.dataset });
        if (plan.ok)
          out.push({ dataset: policy.dataset, retainDays: policy.retainDays, bytes: plan.value.retire.bytes, held: policy.legalHold });
      }
      if (live) setEffect({ datasets: out });
    })();
    return () => {
      live = false;
    };
  }, []);
  return effect;
}

/** Storage cost: bytes × price per GB-month for PostgreSQL (hot) and object storage (cold), and what archiving and retention save. */
export function CostPanel({ overview }: Props) {
  const retention = useRetentionEffect();
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
    ? costModel(overview, { hotPerGbMonth: hot, coldPerGbMonth: cold, hotWindowDays: windowDays, keepHotDays: keepDays })
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
              Keeping {keepDays} instead of {windowDays} days hot would move {formatBytes(m.archivableHotBytes)} of time-series rows (of{' '}
              {formatBytes(m.timeseriesHotBytes)}) to the lake and save{' '}
              <b data-testid="cost-window-saving">{formatUsd(m.archivalSavingMonthly)}</b> a month.
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
