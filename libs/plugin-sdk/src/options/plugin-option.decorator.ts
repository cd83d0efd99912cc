import 'reflect-metadata';

const PLUGIN_OPTIONS_METADATA = 'dnsgate:plugin-options';

export interface PluginOptionSpec {
  /** One line for the README and for boot errors. */
  description: string;
  /**
   * A secret (API key, TSIG secret): may come from `<VAR>_FILE` instead,
   * and its value is redacted from every log line and error.
   */
  secret?: boolean;
  /** The env suffix; defaults to the property name in UPPER_SNAKE_CASE. */
  env?: string;
  /** How a string becomes the property's value; defaults from its TypeScript type. */
  type?: 'string' | 'number' | 'boolean' | 'list';
}

export interface DeclaredPluginOption extends PluginOptionSpec {
  property: string;
  env: string;
  /** From the spec or the TypeScript type; undefined when neither says (the default value decides). */
  type?: NonNullable<PluginOptionSpec['type']>;
}

/** Declares a property of a plugin's options class as settable from the environment. */
export function PluginOption(spec: PluginOptionSpec): PropertyDecorator {
  return (target, propertyKey) => {
    const property = String(propertyKey);
    const designType = Reflect.getMetadata('design:type', target, propertyKey) as unknown;
    const declared: DeclaredPluginOption = {
      ...spec,
      property,
      env: spec.env ?? toUpperSnake(property),
      type: spec.type ?? typeFromDesign(designType),
    };
    const existing = (Reflect.getMetadata(PLUGIN_OPTIONS_METADATA, target.constructor) as DeclaredPluginOption[]) ?? [];
    Reflect.defineMetadata(PLUGIN_OPTIONS_METADATA, [...existing, declared], target.constructor);
  };
}

export function getDeclaredOptions(optionsClass: Function): DeclaredPluginOption[] {
  return (Reflect.getMetadata(PLUGIN_OPTIONS_METADATA, optionsClass) as DeclaredPluginOption[]) ?? [];
}

function typeFromDesign(designType: unknown): DeclaredPluginOption['type'] {
  if (designType === Number) return 'number';
  if (designType === Boolean) return 'boolean';
  if (designType === Array) return 'list';
  if (designType === String) return 'string';
  // A property without a type annotation has design type Object (or none).
  return undefined;
}

/** The option's type, falling back to the type of the class's default value. */
export function resolveOptionType(
  option: DeclaredPluginOption,
  defaultValue: unknown,
): NonNullable<PluginOptionSpec['type']> {
  if (option.type) return option.type;
  if (typeof defaultValue === 'number') return 'number';
  if (typeof defaultValue === 'boolean') return 'boolean';
  if (Array.isArray(defaultValue)) return 'list';
  return 'string';
}

export function toUpperSnake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}
