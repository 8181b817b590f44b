#pragma once
// Renders a phantom study as a frontal (PA) chest radiograph: 8-bit grayscale, `size` × `size`, the patient's
// right on the image's left. A parametric anatomy (body and shoulders, lung fields with apices, diaphragm
// domes and costophrenic angles, heart and mediastinum with the aortic knob, trachea, hila and a branching
// vessel tree, spine, posterior and anterior ribs, clavicles, gastric bubble) is composited in intensity
// space, the study's findings and devices are drawn over it, then rotation, blur, exposure and quantum noise
// are applied. Deterministic: a pure function of the study (its anatomy carries the texture seed).
#include "demo/phantom_cohort.hpp"
#include "vision/image.hpp"

namespace saerad::demo {

Image render_phantom(const PhantomStudy& study, int size = 512);

}  // namespace saerad::demo
