/**
 * The deployment files as their tools read them: `docker-compose config` for
 * the compose file, `kubectl kustomize` for the Kubernetes overlay. Both tools
 * run without an engine or a cluster; CI requires them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

const ROOT = join(__dirname, '..', '..');

function has(tool: string): boolean {
  return spawnSync(tool, ['--help'], { stdio: 'ignore' }).status === 0;
}

function describeWithTool(tool: string, name: string, body: () => void): void {
  if (has(tool)) describe(name, body);
  else if (process.env.LEARNCHAIN_REQUIRE_SERVICES === '1') describe(name, () => it(`needs ${tool}`, () => { throw new Error(`${tool} is not installed`); }));
  else describe.skip(`${name} [skipped: ${tool} is not installed]`, body);
}

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  ports?: unknown[];
  container_name?: string;
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  deploy?: { resources?: { reservations?: { devices?: { capabilities: string[] }[] } } };
}

describeWithTool('docker-compose', 'docker-compose.yml', () => {
  const rendered = execFileSync('docker-compose', ['-f', join(ROOT, 'docker-compose.yml'), 'config'], { encoding: 'utf8' });
  const services = (parse(rendered) as { services: Record<string, ComposeService> }).services;

  it('runs 4 validators, each peering with the other three, with its own key, schema and WAL', () => {
    const validators = Object.keys(services).filter((n) => n.startsWith('validator-')).sort();
    expect(validators).toEqual(['validator-0', 'validator-1', 'validator-2', 'validator-3']);
    for (const [i, name] of validators.entries()) {
      const env = services[name]?.environment ?? {};
      expect(env.LEARNCHAIN_PEERS?.split(',').sort()).toEqual(validators.filter((v) => v !== name).map((v) => `${v}:7200`));
      expect(env.LEARNCHAIN_KEY_FILE).toBe(`/genesis/validator-${i}.key.json`);
      expect(env.LEARNCHAIN_VALIDATOR_SCHEMA).toBe(`validator_${i}`);
    }
  });

  it('lets trainers scale: no fixed name, port or key, partition from the key', () => {
    const trainer = services.trainer as ComposeService;
    expect(trainer.container_name).toBeUndefined();
    expect(trainer.ports ?? []).toEqual([]);
    expect(trainer.environment?.LEARNCHAIN_CLIENT_INDEX).toBe('auto');
    expect(trainer.environment?.LEARNCHAIN_TRAINER_KEY_FILE).toBeUndefined();
  });

  it('starts services after the genesis step and healthy PostgreSQL and NATS', () => {
    for (const name of ['registry', 'aggregator', 'validator-0', 'trainer']) {
      expect(services[name]?.depends_on).toMatchObject({
        genesis: { condition: 'service_completed_successfully' },
        postgres: { condition: 'service_healthy' },
        nats: { condition: 'service_healthy' },
      });
    }
  });

  it('has every learnchain service serve metrics, scraped by the observability profile\'s Prometheus', () => {
    const learnchain = Object.keys(services).filter((n) => /^(validator-\d|registry|aggregator|trainer|trainer-gpu)$/.test(n));
    expect(learnchain).toHaveLength(8);
    for (const name of learnchain) expect({ name, listen: services[name]?.environment?.LEARNCHAIN_METRICS_LISTEN }).toEqual({ name, listen: '0.0.0.0:9464' });
    expect(services.prometheus?.profiles).toEqual(['observability']);
    const scrape = parse(readFileSync(join(ROOT, 'infra/prometheus/prometheus.yml'), 'utf8')) as { scrape_configs: { job_name: string; static_configs?: { targets: string[] }[]; dns_sd_configs?: { names: string[]; port: number }[] }[] };
    const targets = scrape.scrape_configs.flatMap((c) => [...(c.static_configs ?? []).flatMap((t) => t.targets), ...(c.dns_sd_configs ?? []).flatMap((d) => d.names.map((n) => `${n}:${d.port}`))]);
    for (const name of learnchain.filter((n) => n !== 'trainer-gpu')) expect(targets).toContain(`${name}:9464`);
  });

  it('reserves a GPU for the gpu profile', () => {
    const gpu = services['trainer-gpu'] as ComposeService;
    expect(gpu.profiles).toEqual(['gpu']);
    expect(gpu.deploy?.resources?.reservations?.devices?.[0]?.capabilities).toEqual(['gpu']);
    expect(gpu.environment?.LEARNCHAIN_DEVICE).toBe('cuda');
  });
});

describeWithTool('kubectl', 'infra/k8s', () => {
  const rendered = execFileSync('kubectl', ['kustomize', join(ROOT, 'infra/k8s/overlays/example')], { encoding: 'utf8' });
  const objects = parseAllDocuments(rendered).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string }; spec?: Record<string, unknown> });
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

  it('renders every object into the overlay namespace', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      [
        'ConfigMap/learnchain',
        'Deployment/aggregator',
        'Deployment/registry',
        'Deployment/trainer',
        'HorizontalPodAutoscaler/trainer',
        'Namespace/learnchain-example',
        'Service/aggregator',
        'Service/registry',
        'Service/validator',
        'StatefulSet/validator',
      ].sort(),
    );
    for (const o of objects) if (o.kind !== 'Namespace') expect(o.metadata.namespace).toBe('learnchain-example');
  });

  it('gives validators stable identities and a volume for the WAL', () => {
    const sts = find('StatefulSet', 'validator')?.spec as { replicas: number; serviceName: string; volumeClaimTemplates: { metadata: { name: string } }[] };
    expect(sts.replicas).toBe(4);
    expect(sts.serviceName).toBe('validator');
    expect(sts.volumeClaimTemplates.map((t) => t.metadata.name)).toEqual(['wal']);
  });

  it('has every learnchain pod serve metrics on its metrics port, announced for scraping', () => {
    const config = find('ConfigMap', 'learnchain') as unknown as { data: Record<string, string> };
    expect(config.data.LEARNCHAIN_METRICS_LISTEN).toBe('0.0.0.0:9464');
    type Workload = { template: { metadata: { annotations?: Record<string, string> }; spec: { containers: { ports?: { name: string; containerPort: number }[] }[] } } };
    for (const [kind, name] of [['StatefulSet', 'validator'], ['Deployment', 'registry'], ['Deployment', 'aggregator'], ['Deployment', 'trainer']] as const) {
      const spec = find(kind, name)?.spec as Workload;
      expect({ name, annotations: spec.template.metadata.annotations }).toEqual({ name, annotations: expect.objectContaining({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9464' }) });
      expect(spec.template.spec.containers[0]?.ports).toContainEqual({ name: 'metrics', containerPort: 9464 });
    }
  });

  it('autoscales trainers', () => {
    const hpa = find('HorizontalPodAutoscaler', 'trainer')?.spec as { scaleTargetRef: { name: string }; maxReplicas: number };
    expect(hpa.scaleTargetRef.name).toBe('trainer');
    expect(hpa.maxReplicas).toBe(64);
  });
});
