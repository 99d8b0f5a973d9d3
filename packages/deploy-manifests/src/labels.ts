/** The recommended labels (app.kubernetes.io/*); `name` is what every selector matches on. */
export const PART_OF = 'fleetplane';

export const selectorLabels = (name: string) => ({ 'app.kubernetes.io/name': name });

export const labels = (name: string, component: string) => ({
  ...selectorLabels(name),
  'app.kubernetes.io/component': component,
  'app.kubernetes.io/part-of': PART_OF,
});

/** Images are `fleetplane/<service>`, as compose tags them; the overlays set registry and tag. */
export const imageOf = (service: string) => `fleetplane/${service}`;
