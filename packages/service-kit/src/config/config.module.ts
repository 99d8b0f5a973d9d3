import { Inject, Module, type DynamicModule } from '@nestjs/common';

/** The one token under which a service's validated, frozen configuration is provided. */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

/** Injects the service's configuration: `constructor(@InjectConfig() config: CommandConfig)`. */
export const InjectConfig = (): ParameterDecorator => Inject(SERVICE_CONFIG);

/**
 * Provides the configuration `loadConfig` validated in main. It is loaded
 * there, before Nest starts, so that a bad variable stops the process with a
 * message naming it rather than a dependency-injection stack trace.
 */
@Module({})
export class ConfigModule {
  static forRoot<C extends object>(config: Readonly<C>): DynamicModule {
    return {
      global: true,
      module: ConfigModule,
      providers: [{ provide: SERVICE_CONFIG, useValue: Object.isFrozen(config) ? config : Object.freeze({ ...config }) }],
      exports: [SERVICE_CONFIG],
    };
  }
}
