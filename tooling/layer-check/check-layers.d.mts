export interface LayerViolation {
  file: string;
  line: number;
  message: string;
}
export declare const LAYER_RULES: Record<string, string[]>;
export declare function checkLayers(root: string): LayerViolation[];
